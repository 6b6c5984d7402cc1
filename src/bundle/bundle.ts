import { basename, relative, resolve } from 'node:path';
import { IoError, TooLargeError, UsageError, describeFsError, isNodeError } from '../errors.js';
import { createAtomicWriteStream, type AtomicWriteStream } from '../util/atomic-write.js';
import { formatSize } from '../util/size.js';
import { WorkerEngine } from './gzip-workers.js';
import { OutputSink } from './output-sink.js';
import { GZIP_MEMBER_INPUT, writeTarGz } from './tar-gz.js';
import { walkPayload, type BundleEntry, type WalkOptions } from './walk.js';
import { checkWindowsCollisions, writeZip } from './zip.js';

export type BundleFormat = 'tar.gz' | 'zip';

export interface BundleOptions extends WalkOptions {
  /** The archive to write (atomically). */
  output: string;
  /** Default: from the output's extension, else tar.gz. */
  format?: BundleFormat;
  /** libdeflate level 1-12 (default 6). */
  level?: number;
  /** Largest archive accepted, in bytes (default 20,000,000: the File customizer's limit). */
  maxSize?: number;
  /** The mtime stored for every entry (default: SOURCE_DATE_EPOCH, else 1980-01-01T00:00:00Z). */
  mtime?: number;
  /** Compression threads (default: one, and up to 4 by CPU count for large input). */
  workers?: number;
}

export interface BundleResult {
  path: string;
  format: BundleFormat;
  size: number;
  sha256: string;
  /** Files and symlinks in the archive (folders not counted). */
  files: number;
  /** Bytes of file content that went in. */
  bytesIn: number;
}

export const DEFAULT_LEVEL = 6;
/**
 * Bumped whenever the archive writers would give other bytes for the same input (headers, member
 * cuts, the deflate library): input manifests include it, so a changed format rebuilds archives.
 */
export const ARCHIVE_FORMAT_VERSION = 1;
export const DEFAULT_MAX_SIZE = 20_000_000;
/** 1980-01-01T00:00:00Z: the earliest time zip can store, and late enough that GNU tar does not warn. */
export const DEFAULT_MTIME = 315532800;

export function formatFromPath(path: string): BundleFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  if (lower.endsWith('.zip')) return 'zip';
  return undefined;
}

/** The latest mtime a ustar header holds (11 octal digits): 2242-03-16. */
export const MAX_MTIME = 0o77777777777;

export function resolveMtime(explicit: number | undefined, env = process.env): number {
  if (explicit !== undefined) return explicit;
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return DEFAULT_MTIME;
  if (!/^\d+$/.test(raw)) throw new UsageError(`SOURCE_DATE_EPOCH must be a whole number of seconds, got "${raw}"`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value > MAX_MTIME) {
    throw new UsageError(`SOURCE_DATE_EPOCH ${raw} is out of range: archives store times from 0 (1970) to ${MAX_MTIME} (2242); zip rounds into 1980-2107`, [
      'unset it, or use a time such as $(git log -1 --format=%ct)',
    ]);
  }
  return value;
}

/**
 * Packs a folder into a byte-reproducible tar.gz or zip: the same content gives the same bytes on
 * every machine and run, whatever the mtimes, owners, umask, group/other bits, directory order or
 * locale. Written atomically; over `maxSize`, nothing is left behind and the error lists the ten
 * largest inputs.
 */
export async function bundle(dir: string, options: BundleOptions): Promise<BundleResult> {
  const inferred = formatFromPath(options.output);
  if (options.format && inferred && options.format !== inferred) {
    throw new UsageError(`--format ${options.format} does not match the output name ${options.output}`, [
      `name it ${basename(options.output).replace(/\.(tar\.gz|tgz|zip)$/i, '')}.${options.format}`,
    ]);
  }
  const format = options.format ?? inferred ?? 'tar.gz';
  const level = options.level ?? DEFAULT_LEVEL;
  if (!Number.isInteger(level) || level < 1 || level > 12) throw new UsageError(`--level must be 1-12 (libdeflate levels), got ${level}`);
  const maxSize = options.maxSize ?? DEFAULT_MAX_SIZE;
  const mtime = resolveMtime(options.mtime);

  // An archive written inside the folder it packs must not pack its own older copy.
  const outputRelative = relative(resolve(dir), resolve(options.output)).split('\\').join('/');
  const exclude = [...(options.exclude ?? [])];
  if (!outputRelative.startsWith('..')) exclude.push(`/${outputRelative.replace(/([*?[\]!#\\])/g, '\\$1')}`, `/.${basename(options.output)}.aibgen-*.tmp`);
  // A worker boots on another core while this thread lists the folder; more join for large input.
  const starting = WorkerEngine.start(level, 1);
  starting.catch(() => undefined);
  let walk;
  try {
    walk = walkPayload(dir, { ...options, exclude });
    if (format === 'zip') checkWindowsCollisions(walk.entries, dir);
  } catch (error) {
    await (await starting.catch(() => undefined))?.close();
    throw error;
  }
  const engine = await starting;
  let target: AtomicWriteStream | undefined;
  let sink: OutputSink;
  try {
    const large = walk.bytesIn >= GZIP_MEMBER_INPUT || (format === 'zip' && walk.files > 64);
    if (options.workers !== undefined || large) await engine.grow(options.workers);
    target = await createAtomicWriteStream(options.output, { mode: 0o644, forceMode: true });
    sink = new OutputSink(target);
    const depth = 4;
    if (format === 'tar.gz') await writeTarGz(walk.entries, dir, mtime, engine, sink, depth);
    else await writeZip(walk.entries, dir, mtime, engine, sink, depth);
    if (sink.size > maxSize) throw tooLarge(sink.size, maxSize, walk.entries);
    await target.commit();
  } catch (error) {
    await target?.abort();
    if (isNodeError(error)) throw new IoError(`cannot write ${options.output}: ${describeFsError(error)}; nothing was written`, error);
    throw error;
  } finally {
    // Every path out closes the workers: a live worker would keep the process from exiting.
    await engine.close();
  }
  return { path: options.output, format, size: sink.size, sha256: sink.digest(), files: walk.files, bytesIn: walk.bytesIn };
}

function tooLarge(size: number, maxSize: number, entries: readonly BundleEntry[]): TooLargeError {
  const largest = entries
    .filter((e): e is Extract<BundleEntry, { kind: 'file' }> => e.kind === 'file')
    .sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1))
    .slice(0, 10)
    .map((e) => ({ path: e.path, size: e.size }));
  return new TooLargeError(size, maxSize, largest, `the archive is ${size} bytes (${formatSize(size)}), over the ${maxSize}-byte limit; nothing was written`, [
    'largest inputs:',
    ...largest.map((e) => `  ${String(e.size).padStart(12)}  ${e.path}`),
    'the File customizer is meant for files under 20 MB: exclude what the image does not need',
  ]);
}
