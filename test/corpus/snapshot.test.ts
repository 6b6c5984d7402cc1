import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_CORPUS, SNAPSHOT_CORPUS } from '../helpers.js';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

describe('corpus snapshot', () => {
  it.runIf(existsSync(join(SHARED_CORPUS, 'INDEX.md')))('is byte-identical to ../shared/corpus (refresh it with cp -r if this fails)', async () => {
    const shared = await listFiles(SHARED_CORPUS);
    expect(await listFiles(SNAPSHOT_CORPUS)).toEqual(shared);
    for (const file of shared) {
      expect((await readFile(join(SNAPSHOT_CORPUS, file))).equals(await readFile(join(SHARED_CORPUS, file))), file).toBe(true);
    }
  });
});
