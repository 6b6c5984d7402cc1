import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../../src/bundle/index.js';
import { readTree } from '../bundle-helpers.js';
import { run, tempDir } from '../helpers.js';

interface FileSpec {
  path: string;
  content: string;
  executable: boolean;
}

const segment = fc.oneof(fc.stringMatching(/^[a-z0-9_-]{1,12}$/), fc.constantFrom('ünïcødé', '名前', 'Ω', 'émoji-🙂', 'x'.repeat(110)));
const fileSpec = fc.record({
  path: fc.array(segment, { minLength: 1, maxLength: 7 }).map((parts) => parts.join('/')),
  content: fc.oneof(fc.constant(''), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 3000 })),
  executable: fc.boolean(),
});
// Paths must not be both a file and a folder prefix of another file.
const tree = fc
  .uniqueArray(fileSpec, { minLength: 1, maxLength: 12, selector: (f) => f.path })
  .filter((files) => files.every((a) => files.every((b) => a === b || !b.path.startsWith(`${a.path}/`))));

let dir: string;
beforeAll(async () => {
  dir = await tempDir('aibgen-prop-');
});

async function write(root: string, files: FileSpec[], reverse: boolean, mtime: Date, extraBits: number): Promise<void> {
  await rm(root, { recursive: true, force: true });
  for (const file of reverse ? [...files].reverse() : files) {
    await mkdir(join(root, file.path, '..'), { recursive: true });
    await writeFile(join(root, file.path), file.content);
    await chmod(join(root, file.path), (file.executable ? 0o700 : 0o600) | extraBits);
    await utimes(join(root, file.path), mtime, mtime);
  }
  await mkdir(join(root, 'an-empty-folder'), { recursive: true });
  await symlink(files[0]?.path ?? 'x', join(root, 'zz-link'));
}

const sha = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe('bundle over random trees (fast-check)', () => {
  it('gives identical bytes for the same content whatever the order, mtimes and group/other bits, and GNU tar restores the tree', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(tree, async (files) => {
        n++;
        const a = join(dir, `a${n}`);
        const b = join(dir, `b${n}`);
        await write(a, files, false, new Date('2001-02-03T04:05:06Z'), 0);
        await write(b, files, true, new Date('2039-01-01T00:00:00Z'), 0o055);
        for (const format of ['tar.gz', 'zip'] as const) {
          const ra = await bundle(a, { output: join(dir, `a${n}.${format}`), workers: 0 });
          const rb = await bundle(b, { output: join(dir, `b${n}.${format}`), workers: 2 });
          expect(rb.sha256).toBe(ra.sha256);
          expect(await sha(join(dir, `a${n}.${format}`))).toBe(ra.sha256);
        }
        const out = join(dir, `x${n}`);
        await mkdir(out);
        const extracted = await run('tar', ['-xzf', join(dir, `a${n}.tar.gz`), '-C', out]);
        expect(extracted.stderr).toBe('');
        expect(await readTree(out)).toEqual(await readTree(a));
        await rm(out, { recursive: true });
      }),
      { numRuns: 12, seed: 20261126 },
    );
  });
});
