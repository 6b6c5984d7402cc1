import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { CORPUS, ROOT, aibgen, itWith } from '../helpers.js';

interface Report {
  files: { file: string; findings: { rule: string; line: number; column: number; severity: string; message: string }[]; notes: string[] }[];
}

/**
 * Every script and every template's inline commands in the corpus, linted; the result must equal the
 * reviewed snapshot (test/corpus/lint-corpus.snapshot.txt), where a comment above each error says
 * why it is a real problem. Needs ShellCheck and pwsh, as CI has them: the snapshot holds their findings.
 */
describe('lint over the corpus', () => {
  itWith('shellcheck')('finds exactly what was reviewed', async () => {
    const result = await aibgen(['lint', '.', '--format', 'json'], { cwd: CORPUS });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as Report;
    expect(report.files.flatMap((f) => f.notes)).toEqual([]); // every engine ran
    const lines = report.files.flatMap((f) => f.findings.map((x) => `${f.file}:${x.line}:${x.column} ${x.severity} ${x.rule} ${x.message}`));
    const reviewed = (await readFile(join(ROOT, 'test/corpus/lint-corpus.snapshot.txt'), 'utf8')).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines).toEqual(reviewed);
    expect(result.exitCode).toBe(lines.some((l) => / error /.test(l)) ? 1 : 0);
  });
});
