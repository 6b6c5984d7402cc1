import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { lintPaths } from '../../src/lint/index.js';
import { tempDir } from '../helpers.js';

/**
 * Writes the files (relative path -> content) into a new folder and lints it in one run (one ShellCheck,
 * one pwsh), returning each file's rule codes by its relative path.
 */
export async function lintRulesOf(files: ReadonlyMap<string, string | Buffer>): Promise<Map<string, string[]>> {
  const dir = await tempDir();
  for (const [path, content] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  const { results } = await lintPaths([dir]);
  return new Map(results.map((result) => [relative(dir, result.file), result.findings.map((f) => f.rule)]));
}
