import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, readFile, readdir, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { IoError, ProjectError, describeFsError, isNodeError } from '../errors.js';
import { isAlive, sweepDeadTempDirs } from '../util/leftovers.js';

/**
 * The build's footprint on disk, so that a failed or killed build leaves nothing wrong behind.
 *
 * - A lock file next to the output (`.aibgen-lock`) is held for the whole build. It also is the
 *   journal: it says "dist/ may be half-updated" while artifacts and the template are replaced.
 *   A build killed there leaves it behind; the next build sees that its owner is gone, takes it
 *   over and rewrites everything, and `build --check` reports dist/ as stale until then.
 * - Work happens in a staging folder next to the output (same file system, so installing an
 *   artifact is a rename). Leftovers of killed builds (`.aibgen-staging-*`, `.*.aibgen-*.tmp`)
 *   are removed by the next build, under the lock.
 * - `build --check` writes nothing in the project: it stages in `$TMPDIR/aibgen-check-<pid>-*`
 *   and removes leftovers of dead check runs.
 */

export const LOCK_FILE = '.aibgen-lock';
const STAGING_PREFIX = '.aibgen-staging-';
const CHECK_PREFIX = 'aibgen-check-';
const TEMP_FILE = /^\..+\.aibgen-\d+-[0-9a-f]+\.tmp$|^\..+\.aibgen-\d+\.tmp$/;

interface LockState {
  pid: number;
  state: 'building' | 'installing' | 'failed';
}

async function readLock(path: string): Promise<LockState | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockState>;
    return { pid: Number(parsed.pid), state: parsed.state ?? 'building' };
  } catch (error) {
    if (isNodeError(error) && error.code === 'ENOENT') return undefined;
    return { pid: 0, state: 'failed' };
  }
}

/** What an earlier build left: nothing, or an interruption (a lock whose owner is gone). */
export async function interruptedBuild(outputDir: string): Promise<LockState | undefined> {
  const lock = await readLock(join(outputDir, LOCK_FILE));
  if (!lock) return undefined;
  if (lock.state !== 'failed' && lock.pid !== process.pid && isAlive(lock.pid)) return undefined;
  return lock;
}

export class BuildLock {
  private constructor(
    readonly path: string,
    /** An earlier build was killed or failed while replacing files; this build repairs it. */
    readonly tookOver: LockState | undefined,
    /** The topmost folder this lock had to create, removed again when the build writes nothing. */
    private readonly made: string | undefined,
  ) {}

  static async acquire(outputDir: string): Promise<BuildLock> {
    const path = join(outputDir, LOCK_FILE);
    let made: string | undefined;
    try {
      made = await mkdir(outputDir, { recursive: true });
    } catch (error) {
      throw new IoError(`cannot create ${outputDir}: ${describeFsError(error)}`, error);
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
        await handle.writeFile(JSON.stringify({ pid: process.pid, state: 'building' }));
        await handle.close();
        return new BuildLock(path, undefined, made);
      } catch (error) {
        if (!isNodeError(error) || error.code !== 'EEXIST') throw new IoError(`cannot create ${path}: ${describeFsError(error)}`, error);
      }
      const holder = await readLock(path);
      if (holder && holder.state !== 'failed' && isAlive(holder.pid) && holder.pid !== process.pid) {
        throw new ProjectError(`another aibgen build (pid ${holder.pid}) is writing ${outputDir}`, [
          `wait for it to finish; if no build is running, remove ${path}`,
        ]);
      }
      // Its owner is gone: take it over, and rewrite everything it may have left half-done.
      const lock = new BuildLock(path, holder, undefined);
      await lock.mark('building');
      return lock;
    }
    throw new IoError(`cannot take ${path}`);
  }

  async mark(state: LockState['state']): Promise<void> {
    const temp = `${this.path}.${process.pid}.tmp`;
    await writeFileExclusive(temp, JSON.stringify({ pid: process.pid, state }));
    await rename(temp, this.path);
  }

  /** Removes the lock; with `wroteNothing`, also the folders it created, when they are still empty. */
  async release(wroteNothing = false): Promise<void> {
    await unlink(this.path).catch(() => undefined);
    if (!wroteNothing || !this.made) return;
    for (let folder = dirname(this.path); folder.length >= this.made.length; folder = dirname(folder)) {
      if (
        !(await rmdir(folder).then(
          () => true,
          () => false,
        ))
      )
        break;
      if (folder === this.made) break;
    }
  }
}

async function writeFileExclusive(path: string, text: string): Promise<void> {
  const handle = await open(path, 'w', 0o644);
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}

/** Removes staging folders and temporary files that killed builds left (called under the lock). */
export async function sweepLeftovers(folders: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const folder of new Set(folders)) {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.startsWith(STAGING_PREFIX) || TEMP_FILE.test(name) || (name.startsWith(`${LOCK_FILE}.`) && name.endsWith('.tmp'))) {
        await rm(join(folder, name), { recursive: true, force: true });
        removed.push(join(folder, name));
      }
    }
  }
  return removed;
}

/** A staging folder next to the output (normal builds) or in $TMPDIR (--check). */
export async function createStaging(outputDir: string, check: boolean): Promise<string> {
  if (check) {
    await sweepDeadTempDirs(CHECK_PREFIX);
    const base = tmpdir();
    try {
      return await mkdtemp(join(base, `${CHECK_PREFIX}${process.pid}-`));
    } catch (error) {
      throw new IoError(
        `cannot create a scratch folder in ${base} (TMPDIR${process.env.TMPDIR ? `=${process.env.TMPDIR}` : ''}): ${describeFsError(error)}`,
        error,
        ['set TMPDIR to a writable folder'],
      );
    }
  }
  const path = join(outputDir, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw new IoError(`cannot create ${path}: ${describeFsError(error)}`, error);
  }
  return path;
}

/** Moves a staged artifact into place atomically: a rename, or a copy to a temporary file and a rename across file systems. */
export async function installFile(staged: string, target: string): Promise<void> {
  try {
    await mkdir(dirname(target), { recursive: true });
    await rename(staged, target);
    return;
  } catch (error) {
    if (!isNodeError(error) || error.code !== 'EXDEV') throw new IoError(`cannot write ${target}: ${describeFsError(error)}`, error);
  }
  const temp = join(dirname(target), `.${basename(target)}.aibgen-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await copyFile(staged, temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw new IoError(`cannot write ${target}: ${describeFsError(error)}`, error);
  }
}
