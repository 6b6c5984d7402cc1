import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateFile, type FileResult } from '../../src/validate/index.js';
import { CORPUS, aibgen } from '../helpers.js';
import { brokenJsonFiles, corpusFiles } from './corpus-index.js';

const files = corpusFiles('.json');
const broken = new Set(brokenJsonFiles());

describe('validate over every JSON template in the corpus', () => {
  it('never crashes; exit 2 only for the files that do not parse', async () => {
    const parseable = files.filter((f) => !broken.has(f));
    const all = await aibgen(['validate', '--format', 'json', ...parseable.map((f) => join(CORPUS, f))], { cwd: CORPUS });
    expect(all.stderr).not.toContain('internal error');
    expect([0, 1]).toContain(all.exitCode);
    expect((JSON.parse(all.stdout) as { files: unknown[] }).files).toHaveLength(parseable.length);
    for (const file of broken) {
      const result = await aibgen(['validate', join(CORPUS, file)], { cwd: CORPUS });
      expect(result.exitCode, file).toBe(2);
      expect(result.stderr, file).toMatch(/:\d+:\d+: /);
    }
  });

  it('finds what was reviewed (see the snapshot: each finding was checked by hand against the spec)', async () => {
    const results: FileResult[] = [];
    for (const file of files.filter((f) => !broken.has(f))) results.push(await validateFile(join(CORPUS, file)));
    const lines = results.flatMap((r) => [
      ...r.findings.map((f) => `${r.file.slice(CORPUS.length + 1)}:${f.line}:${f.column} ${f.severity} ${f.rule} ${f.ruleName} ${f.message}`),
    ]);
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot('./validate-corpus.snapshot.txt');
  });
});
