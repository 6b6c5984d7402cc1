import { randomBytes } from 'node:crypto';
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir, open, readlink, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { IoError, describeFsError, isNodeError } from '../errors.js';

export interface AtomicWriteOptions {
  /** File mode for a new file. An existing file keeps its own mode unless `forceMode` is set. */
  mode?: number;
  forceMode?: boolean;
}

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.aibgen-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

async function targetMode(target: string, options: AtomicWriteOptions): Promise<number> {
  if (options.forceMode && options.mode !== undefined) return options.mode;
  try {
    return (await stat(target)).mode & 0o7777;
  } catch (error) {
    if (isNodeError(error) && error.code === 'ENOENT') return options.mode ?? 0o644;
    throw error;
  }
}

function writeFailed(target: string, error: unknown): IoError {
  if (error instanceof IoError) return error;
  return new IoError(`cannot write ${target}: ${describeFsError(error)}`, error);
}

function describeKind(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device file';
  return 'not a regular file';
}

/**
 * The file a write to `target` must replace: `target` itself, or, when it is a symlink, the file
 * the link chain ends at (so the link survives and its target is edited). A folder, FIFO, socket
 * or device is refused: renaming over it would destroy it or write where nobody reads.
 */
export async function resolveWriteTarget(target: string): Promise<string> {
  let path = resolve(target);
  for (let hops = 0; hops <= 40; hops++) {
    let info: Stats;
    try {
      info = await lstat(path);
    } catch (error) {
      if (isNodeError(error) && error.code === 'ENOENT') return path;
      throw writeFailed(target, error);
    }
    if (info.isSymbolicLink()) {
      path = resolve(dirname(path), await readlink(path));
      continue;
    }
    if (info.isFile()) return path;
    throw new IoError(
      `cannot write ${target}: it is ${describeKind(info)}${path === resolve(target) ? '' : ` (${path}, through a symlink)`}; aibgen only replaces regular files`,
      undefined,
      ['give a path to a regular file (or to one that does not exist yet)'],
    );
  }
  throw new IoError(`cannot write ${target}: ${describeFsError(Object.assign(new Error('ELOOP'), { code: 'ELOOP' }))}`);
}

/**
 * Writes `data` to `target` so that readers see either the old file or the complete new one:
 * a temporary file in the same folder is written, flushed and renamed over the target.
 * On any failure the temporary file is removed and the target is untouched. Missing parent
 * folders are created.
 */
export async function writeFileAtomic(requested: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const target = await resolveWriteTarget(requested);
  const temp = tempPathFor(target);
  let created = false;
  try {
    await mkdir(dirname(target), { recursive: true });
    const mode = await targetMode(target, options);
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    created = true;
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // open() applies the umask; the target's mode must survive exactly.
    await chmod(temp, mode);
    await rename(temp, target);
    created = false;
  } catch (error) {
    if (created) await unlink(temp).catch(() => undefined);
    throw writeFailed(requested, error);
  }
}

/** A stream that becomes `target` only on `commit()`; `abort()` leaves nothing behind. */
export interface AtomicWriteStream {
  readonly stream: WriteStream;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export async function createAtomicWriteStream(requested: string, options: AtomicWriteOptions = {}): Promise<AtomicWriteStream> {
  const target = await resolveWriteTarget(requested);
  const temp = tempPathFor(target);
  let mode: number;
  try {
    await mkdir(dirname(target), { recursive: true });
    mode = await targetMode(target, options);
  } catch (error) {
    throw writeFailed(target, error);
  }
  const stream = createWriteStream(temp, { flags: 'wx', mode });
  let settled = false;
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    throw writeFailed(target, error);
  }
  return {
    stream,
    async commit() {
      if (settled) return;
      settled = true;
      try {
        stream.end();
        await finished(stream);
        await chmod(temp, mode);
        await rename(temp, target);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw writeFailed(target, error);
      }
    },
    async abort() {
      if (settled) return;
      settled = true;
      stream.destroy();
      await finished(stream).catch(() => undefined);
      await unlink(temp).catch(() => undefined);
    },
  };
}
