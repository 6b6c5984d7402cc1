import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HashMemo } from '../checksum/hash-memo.js';
import { UsageError } from '../errors.js';
import { abnormalEnd, boundedRun } from '../util/bounded-run.js';
import { cacheFolder } from '../util/content-cache.js';
import { isAlive } from '../util/leftovers.js';

/**
 * The container's root folder for one `aibgen test` run. The root filesystem the user gave is never
 * written to. Where the kernel allows it (aibgen runs as root, overlayfs is there), the root is an
 * overlay: the given folder, or the tar unpacked once into aibgen's cache (keyed by the tar's SHA-256),
 * read-only below a fresh upper layer in the run's scratch folder, so a run starts with a mount instead
 * of unpacking hundreds of MB. Otherwise, and with --keep (the kept folder must hold the whole tree),
 * the root filesystem is copied or unpacked into the scratch folder.
 */

const TAR = /\.(tar|tar\.gz|tgz|tar\.xz|txz)$/i;
const UNPACK_LIMIT_MS = 30 * 60_000;
const MOUNT_LIMIT_MS = 60_000;

export interface PreparedRoot {
  root: string;
  /** How the root was made, in words (for the run's progress). */
  how: string;
  /** Unmounts the overlay, if there is one (once, however often it is called); the scratch folder is the caller's to remove. */
  release(): Promise<void>;
}

async function unpack(source: string, info: Stats, into: string, named: string): Promise<void> {
  const result = info.isDirectory()
    ? await boundedRun('cp', ['-a', '--', `${resolve(source)}/.`, into], { timeoutMs: UNPACK_LIMIT_MS })
    : await boundedRun('tar', ['--extract', '--file', resolve(source), '--directory', into, '--numeric-owner', '--same-permissions'], {
        timeoutMs: UNPACK_LIMIT_MS,
      });
  const failure =
    abnormalEnd(result, UNPACK_LIMIT_MS) ?? (result.exitCode !== 0 ? `exit ${result.exitCode}: ${result.stderr.trim().split('\n')[0] ?? ''}` : undefined);
  if (failure) throw new UsageError(`--rootfs ${named}: could not be unpacked: ${failure}`);
}

async function checkIsRoot(dir: string, named: string): Promise<void> {
  if (!(await stat(join(dir, 'bin', 'sh')).catch(() => undefined)) || !(await stat(join(dir, 'etc')).catch(() => undefined)))
    throw new UsageError(`--rootfs ${named}: not a root filesystem (no /bin/sh or /etc in it)`);
}

/** The tar unpacked in aibgen's cache (done once per content; a run killed while unpacking leaves a folder the next one removes). */
async function cachedTree(tar: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const folder = cacheFolder('rootfs', env);
  if (!folder) return undefined;
  const memo = new HashMemo(dirname(resolve(tar)), env);
  const { sha256 } = await memo.hash(resolve(tar));
  await memo.save();
  const tree = join(folder, sha256);
  if (await stat(tree).catch(() => undefined)) return tree;
  await mkdir(folder, { recursive: true });
  for (const name of await readdir(folder)) {
    const pid = Number(/^\.unpacking-(\d+)-/.exec(name)?.[1]);
    if (pid && !isAlive(pid)) await rm(join(folder, name), { recursive: true, force: true });
  }
  const partial = await mkdtemp(join(folder, `.unpacking-${process.pid}-`));
  try {
    // mkdtemp makes it 0700; a root filesystem's / is 0755 unless the tar says otherwise (its ./ entry).
    await chmod(partial, 0o755);
    await unpack(tar, await stat(tar), partial, tar);
    await checkIsRoot(partial, tar);
    // Complete before it has its name: a tree in the cache is always whole. Another run may have finished first.
    await rename(partial, tree).catch(async (error: unknown) => {
      if (!(await stat(tree).catch(() => undefined))) throw error;
    });
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return tree;
}

/** Mounts `lower` read-only under a fresh upper layer at scratch/root; undefined when mounted, else why not. */
async function mountOverlay(lower: string, scratch: string): Promise<string | undefined> {
  // overlayfs options separate layers with ':' and options with ','.
  if (/[,:\\\n]/.test(lower)) return `its path (${lower}) has a character overlayfs options cannot hold`;
  const [upper, work, root] = ['upper', 'work', 'root'].map((name) => join(scratch, name)) as [string, string, string];
  for (const dir of [upper, work, root]) await mkdir(dir);
  const result = await boundedRun('mount', ['-t', 'overlay', 'aibgen-test', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, root], {
    timeoutMs: MOUNT_LIMIT_MS,
  });
  const failure = abnormalEnd(result, MOUNT_LIMIT_MS) ?? (result.exitCode !== 0 ? result.stderr.trim().split('\n')[0] || `exit ${result.exitCode}` : undefined);
  if (failure) await Promise.all([upper, work, root].map((dir) => rm(dir, { recursive: true, force: true })));
  return failure;
}

async function unmount(path: string): Promise<void> {
  const result = await boundedRun('umount', [path], { timeoutMs: MOUNT_LIMIT_MS });
  // Busy (a process of a killed container still holds it): detach it now, the kernel frees it when released.
  if (result.exitCode !== 0) await boundedRun('umount', ['--lazy', path], { timeoutMs: MOUNT_LIMIT_MS });
}

/** Unmounts whatever is mounted at or under `folder` (a killed run's overlay), deepest first. */
export async function unmountUnder(folder: string): Promise<void> {
  const table = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  // The mount point is the fifth field, with spaces and other bytes written as octal escapes.
  const points = table
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point): point is string => point !== undefined && (point === folder || point.startsWith(`${folder}/`)))
    .sort((a, b) => b.length - a.length);
  for (const point of points) await unmount(point);
}

export async function prepareRoot(rootfs: string, scratch: string, options: { keep?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<PreparedRoot> {
  const env = options.env ?? process.env;
  const info = await stat(rootfs).catch(() => undefined);
  if (!info) throw new UsageError(`--rootfs ${rootfs}: no such file or folder`);
  if (!info.isDirectory() && !TAR.test(rootfs)) throw new UsageError(`--rootfs ${rootfs}: expected a folder, or a .tar, .tar.gz or .tar.xz of one`);
  const root = join(scratch, 'root');
  let lower: string | undefined;
  let why = '--keep keeps a full copy';
  if (!options.keep) {
    lower = info.isDirectory() ? resolve(rootfs) : await cachedTree(rootfs, env);
    if (lower) {
      await checkIsRoot(lower, rootfs);
      const failure = await mountOverlay(lower, scratch);
      if (!failure) {
        let unmounted: Promise<void> | undefined;
        return { root, how: `an overlay on ${lower}`, release: () => (unmounted ??= unmount(root)) };
      }
      why = `no overlay: ${failure}`;
    } else why = 'AIBGEN_CACHE=0: the tar is unpacked for this run only';
  }
  await mkdir(root, { recursive: true });
  await unpack(lower ?? rootfs, lower ? await stat(lower) : info, root, rootfs);
  await checkIsRoot(root, rootfs);
  return { root, how: `a copy (${why})`, release: () => Promise.resolve() };
}
