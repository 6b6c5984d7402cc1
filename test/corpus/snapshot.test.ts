import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSums } from '../../src/checksum/index.js';
import { sha256Hex } from '../../src/util/sha256.js';
import { ROOT, SNAPSHOT_CORPUS } from '../helpers.js';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** test/corpus/snapshot.sha256: the corpus as it was copied (sha256sum format), so a clean clone can check its copy too. */
async function manifest(): Promise<Map<string, string>> {
  const parsed = parseSums(await readFile(join(ROOT, 'test/corpus/snapshot.sha256'), 'latin1'));
  return new Map(parsed.entries.map((e) => [Buffer.from(e.name, 'latin1').toString('utf8'), e.sha256]));
}

describe('corpus snapshot', () => {
  it('the committed copy is exactly what its manifest lists', async () => {
    const expected = await manifest();
    expect(await listFiles(SNAPSHOT_CORPUS)).toEqual([...expected.keys()].sort());
    for (const [file, sha] of expected) expect(sha256Hex(await readFile(join(SNAPSHOT_CORPUS, file))), file).toBe(sha);
  });
});
