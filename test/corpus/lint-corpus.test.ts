import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { CORPUS, ROOT, aibgen, hasTool, itWith } from '../helpers.js';

// ShellCheck and the Bicep compiler (for the corpus' .bicep files) must both be there: the snapshot holds their findings.
const withEngines = hasTool('shellcheck') ? itWith('bicep') : itWith('shellcheck');

interface Report {
  files: { file: string; findings: { rule: string; line: number; column: number; severity: string; message: string }[]; notes: string[] }[];
}

/**
 * Every script and every template's inline commands in the corpus, linted; the result must equal the
 * reviewed snapshot (test/corpus/lint-corpus.snapshot.txt), where a comment above each error says
 * why it is a real problem. Needs ShellCheck and pwsh, as CI has them: the snapshot holds their findings.
 */
describe('lint over the corpus', () => {
  withEngines('finds exactly what was reviewed', async () => {
    const result = await aibgen(['lint', '.', '--format', 'json'], { cwd: CORPUS });
    expect(result.stderr).not.toMatch(/internal error|TypeError/);
    const report = JSON.parse(result.stdout) as Report;
    // Every engine ran: the only notes are the Bicep compiler's (params evaluated with stand-ins, modules not evaluated alone).
    expect(report.files.filter((f) => !f.file.endsWith('.bicep')).flatMap((f) => f.notes)).toEqual([]);
    expect(report.files.flatMap((f) => f.notes).filter((n) => /not installed|not on PATH|not linted: install/.test(n))).toEqual([]);
    // A Bicep file whose inline commands the compiler could not evaluate is AIB216; the why is the compiler's
    // own words (which name the network when a registry module cannot be restored), so only its place is pinned.
    const lines = report.files.flatMap((f) =>
      f.findings.map((x) => `${f.file}:${x.line}:${x.column} ${x.severity} ${x.rule}${x.rule === 'AIB216' && f.file.endsWith('.bicep') ? '' : ` ${x.message}`}`),
    );
    const reviewed = (await readFile(join(ROOT, 'test/corpus/lint-corpus.snapshot.txt'), 'utf8')).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines).toEqual(reviewed);
    expect(result.exitCode).toBe(lines.some((l) => / AIB216/.test(l)) ? 2 : lines.some((l) => / error /.test(l)) ? 1 : 0);
  });
});
