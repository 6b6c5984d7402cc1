import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareRoot as prepare, unmountUnder, type PreparedRoot } from '../../src/localtest/rootfs.js';
import { isRoot, run, tempDir } from '../helpers.js';

/** Every root prepared here is released after its test, even one that failed halfway (a mount would outlive it). */
const prepared: PreparedRoot[] = [];
afterEach(async () => {
  for (const root of prepared.splice(0)) await root.release();
});
async function prepareRoot(...args: Parameters<typeof prepare>): Promise<PreparedRoot> {
  const root = await prepare(...args);
  prepared.push(root);
  return root;
}

/** A root filesystem as small as prepareRoot accepts: /bin/sh and /etc. */
async function fakeRootfs(dir: string, marker: string): Promise<string> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await mkdir(join(dir, 'etc'));
  await writeFile(join(dir, 'bin', 'sh'), '#!/bin/true\n', { mode: 0o755 });
  await writeFile(join(dir, 'etc', 'marker'), marker);
  return dir;
}

async function mounted(path: string): Promise<boolean> {
  return (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').some((line) => line.split(' ')[4] === path);
}

async function tarOf(dir: string, tar: string, entries = ['bin', 'etc']): Promise<string> {
  // Named entries only, no ./ entry (as docker export writes them): the root's mode is then aibgen's to set.
  expect((await run('tar', ['--create', '--file', tar, '-C', dir, ...entries])).exitCode).toBe(0);
  return tar;
}

// Mounting needs root, as aibgen test does (CI runs as root).
describe.runIf(isRoot)("aibgen test's root folder: an overlay on the root filesystem, never a write to it", () => {
  it('a folder is the lower layer: the run writes to its own layer, the folder is untouched, release unmounts', async () => {
    const base = await tempDir();
    const rootfs = await fakeRootfs(join(base, 'rootfs'), 'given');
    const scratch = join(base, 'scratch');
    await mkdir(scratch);
    const prepared = await prepareRoot(rootfs, scratch, { env: { XDG_CACHE_HOME: join(base, 'cache') } });
    expect(prepared.how).toBe(`an overlay on ${rootfs}`);
    expect(await mounted(prepared.root)).toBe(true);
    expect(await readFile(join(prepared.root, 'etc', 'marker'), 'utf8')).toBe('given');
    await writeFile(join(prepared.root, 'etc', 'marker'), 'changed by a step');
    await writeFile(join(prepared.root, 'etc', 'new'), 'x');
    expect(await readFile(join(rootfs, 'etc', 'marker'), 'utf8')).toBe('given');
    expect(await readdir(join(rootfs, 'etc'))).toEqual(['marker']);
    await prepared.release();
    expect(await mounted(prepared.root)).toBe(false);
  });

  it('a tar is unpacked once into the cache, by content: the next run mounts the same tree, another tar gets its own', async () => {
    const base = await tempDir();
    const cache = join(base, 'cache');
    const env = { XDG_CACHE_HOME: cache };
    const tar = await tarOf(await fakeRootfs(join(base, 'tree'), 'one'), join(base, 'rootfs.tar'));
    const first = await prepareRoot(tar, await makeDir(join(base, 's1')), { env });
    const trees = await readdir(join(cache, 'aibgen', 'rootfs'));
    expect(trees).toHaveLength(1);
    const tree = join(cache, 'aibgen', 'rootfs', trees[0] as string);
    expect(first.how).toBe(`an overlay on ${tree}`);
    expect((await stat(tree)).mode & 0o7777).toBe(0o755);
    const unpackedAt = (await stat(tree)).mtimeMs;
    await first.release();

    const second = await prepareRoot(tar, await makeDir(join(base, 's2')), { env });
    expect(second.how).toBe(`an overlay on ${tree}`);
    expect((await stat(tree)).mtimeMs).toBe(unpackedAt);
    expect(await readFile(join(second.root, 'etc', 'marker'), 'utf8')).toBe('one');
    await second.release();

    const other = await tarOf(await fakeRootfs(join(base, 'tree2'), 'two'), join(base, 'rootfs2.tar'));
    const third = await prepareRoot(other, await makeDir(join(base, 's3')), { env });
    expect(await readFile(join(third.root, 'etc', 'marker'), 'utf8')).toBe('two');
    await third.release();
    expect((await readdir(join(cache, 'aibgen', 'rootfs'))).sort()).toHaveLength(2);
  });

  it('--keep and AIBGEN_CACHE=0 work on a full copy, and say why', async () => {
    const base = await tempDir();
    const tar = await tarOf(await fakeRootfs(join(base, 'tree'), 'one'), join(base, 'rootfs.tar'));
    const kept = await prepareRoot(tar, await makeDir(join(base, 's1')), { keep: true, env: { XDG_CACHE_HOME: join(base, 'cache') } });
    expect(kept.how).toBe('a copy (--keep keeps a full copy)');
    expect(await mounted(kept.root)).toBe(false);
    expect(await readFile(join(kept.root, 'etc', 'marker'), 'utf8')).toBe('one');
    const uncached = await prepareRoot(tar, await makeDir(join(base, 's2')), { env: { AIBGEN_CACHE: '0' } });
    expect(uncached.how).toBe('a copy (AIBGEN_CACHE=0: the tar is unpacked for this run only)');
    expect(await readdir(base)).not.toContain('cache');
  });

  it('a tar that is not a root filesystem is refused, and nothing of it stays in the cache', async () => {
    const base = await tempDir();
    await mkdir(join(base, 'tree'));
    await writeFile(join(base, 'tree', 'readme'), 'no /bin/sh here');
    const tar = await tarOf(join(base, 'tree'), join(base, 'not-a-root.tar'), ['readme']);
    const cache = join(base, 'cache');
    await expect(prepareRoot(tar, await makeDir(join(base, 's')), { env: { XDG_CACHE_HOME: cache } })).rejects.toMatchObject({
      code: 'E_USAGE',
      message: `--rootfs ${tar}: not a root filesystem (no /bin/sh or /etc in it)`,
    });
    expect(await readdir(join(cache, 'aibgen', 'rootfs'))).toEqual([]);
  });

  it("unmountUnder takes down a killed run's overlay so its folder can be removed", async () => {
    const base = await tempDir();
    const rootfs = await fakeRootfs(join(base, 'rootfs'), 'given');
    const scratch = await makeDir(join(base, 'run with space'));
    const prepared = await prepareRoot(rootfs, scratch, { env: { XDG_CACHE_HOME: join(base, 'cache') } });
    expect(await mounted(prepared.root.replace(/ /g, '\\040'))).toBe(true);
    await unmountUnder(scratch);
    expect(await mounted(prepared.root.replace(/ /g, '\\040'))).toBe(false);
  });
});

async function makeDir(path: string): Promise<string> {
  await mkdir(path, { recursive: true });
  return path;
}
