import { readFileSync } from 'node:fs';
import { unreadable } from './read-file.js';
import { AibgenError } from '../errors.js';
import { splitGzipMember, type GzipEngine } from './gzip-workers.js';
import type { OutputSink } from './output-sink.js';
import type { BundleEntry } from './walk.js';

/**
 * A zip writer of our own for the same reason as the tar writer: every header field is fixed (UTC
 * DOS time, Unix modes, no extra fields or data descriptors) and each file is deflated by the
 * pinned libdeflate on a worker. General zip libraries (archiver, yazl) write local times or extra
 * timestamp fields and use Node's zlib, whose output is not the same on every machine.
 */

/** Largest single file the zip writer takes (it compresses a file in one piece). */
export const ZIP_MAX_FILE = 512 * 1024 * 1024;

interface Prepared {
  entry: BundleEntry;
  name: Buffer;
  method: 0 | 8;
  crc32: number;
  size: number;
  data: Uint8Array;
  externalAttributes: number;
}

function dosDateTime(epochSeconds: number): { date: number; time: number } {
  // Zip stores local time without a zone; using UTC fields keeps the bytes independent of TZ.
  const d = new Date(Math.min(Math.max(epochSeconds, 315532800), 4354819198) * 1000);
  return {
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
  };
}

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const MSDOS_DIRECTORY = 0x10;

async function prepare(entry: BundleEntry, root: string, engine: GzipEngine): Promise<Prepared> {
  if (entry.kind === 'dir') {
    return {
      entry,
      name: Buffer.from(`${entry.path}/`, 'utf8'),
      method: 0,
      crc32: 0,
      size: 0,
      data: new Uint8Array(0),
      externalAttributes: (((S_IFDIR | 0o755) << 16) | MSDOS_DIRECTORY) >>> 0,
    };
  }
  // A synchronous read: one syscall sequence instead of several thread-pool round trips per small file.
  let content: Buffer;
  try {
    content = entry.kind === 'symlink' ? Buffer.from(entry.target, 'utf8') : readFileSync(entry.source);
  } catch (error) {
    throw unreadable(`${root}/${entry.path}`, error);
  }
  if (entry.kind === 'file' && content.length !== entry.size) {
    throw new AibgenError('E_BUNDLE', `${root}/${entry.path} changed size while it was being archived`);
  }
  const mode = entry.kind === 'symlink' ? S_IFLNK | 0o777 : S_IFREG | (entry.executable ? 0o755 : 0o644);
  // The engine takes ownership of what it is given; keep `content` for a stored entry.
  const { deflated, crc32 } = splitGzipMember((await engine.gzip(new Uint8Array(content))).out);
  // Like Info-ZIP: store when deflate does not help (random data, empty files, link targets).
  const store = entry.kind === 'symlink' || deflated.length >= content.length;
  return {
    entry,
    name: Buffer.from(entry.path, 'utf8'),
    method: store ? 0 : 8,
    crc32,
    size: content.length,
    data: store ? content : deflated,
    externalAttributes: (mode << 16) >>> 0,
  };
}

function localHeader(p: Prepared, dos: { date: number; time: number }): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(p.method === 8 ? 20 : 10, 4);
  h.writeUInt16LE(flags(p), 6);
  h.writeUInt16LE(p.method, 8);
  h.writeUInt16LE(dos.time, 10);
  h.writeUInt16LE(dos.date, 12);
  h.writeUInt32LE(p.crc32, 14);
  h.writeUInt32LE(p.data.length, 18);
  h.writeUInt32LE(p.size, 22);
  h.writeUInt16LE(p.name.length, 26);
  h.writeUInt16LE(0, 28);
  return Buffer.concat([h, p.name]);
}

function flags(p: Prepared): number {
  // Bit 11: the name is UTF-8 (set only when it is not plain ASCII, as Info-ZIP does).
  return p.name.some((b) => b > 0x7f) ? 0x0800 : 0;
}

function centralHeader(p: Prepared, dos: { date: number; time: number }, offset: number): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, zip 2.0: unzip then applies the mode bits
  h.writeUInt16LE(p.method === 8 ? 20 : 10, 6);
  h.writeUInt16LE(flags(p), 8);
  h.writeUInt16LE(p.method, 10);
  h.writeUInt16LE(dos.time, 12);
  h.writeUInt16LE(dos.date, 14);
  h.writeUInt32LE(p.crc32, 16);
  h.writeUInt32LE(p.data.length, 20);
  h.writeUInt32LE(p.size, 24);
  h.writeUInt16LE(p.name.length, 28);
  h.writeUInt32LE(p.externalAttributes, 38);
  h.writeUInt32LE(offset, 42);
  return Buffer.concat([h, p.name]);
}

/**
 * Writes a zip of `entries`: deflate (libdeflate) or stored, fixed DOS time, Unix modes in the
 * external attributes, no extra fields, no data descriptors, no comments. Files compress in
 * parallel (bounded by `depth` files or 4 MiB in flight) and are written in order.
 */
/**
 * Windows file systems compare names ignoring case, and Expand-Archive writes NFC and NFD forms of
 * a name to the same file: two such paths would silently become one. Refused, naming both.
 */
export function checkWindowsCollisions(entries: readonly BundleEntry[], root: string): void {
  const seen = new Map<string, string>();
  for (const entry of entries) {
    const key = entry.path.normalize('NFC').toLowerCase();
    const other = seen.get(key);
    if (other !== undefined) {
      const how =
        other.normalize('NFC') === entry.path.normalize('NFC') ? 'the same name in two Unicode normal forms (NFC/NFD)' : 'the same name ignoring case';
      throw new AibgenError('E_BUNDLE', `${root}/${other} and ${root}/${entry.path} are ${how}; on Windows, Expand-Archive would keep only one of them`, {
        details: ['rename or exclude one of them'],
      });
    }
    seen.set(key, entry.path);
  }
}

export async function writeZip(
  entries: readonly BundleEntry[],
  root: string,
  mtime: number,
  engine: GzipEngine,
  sink: OutputSink,
  depth: number,
): Promise<void> {
  if (entries.length > 0xffff)
    throw new AibgenError('E_BUNDLE', `${entries.length} entries are more than a zip without zip64 holds (65535)`, {
      details: ['use --format tar.gz, or split the payload'],
    });
  const dos = dosDateTime(mtime);
  const central: Buffer[] = [];
  const inFlight: { bytes: number; job: Promise<Prepared> }[] = [];
  let bytesInFlight = 0;

  const writeOne = async () => {
    const next = inFlight.shift() as { bytes: number; job: Promise<Prepared> };
    bytesInFlight -= next.bytes;
    const prepared = await next.job;
    const offset = sink.size;
    if (offset + 30 + prepared.name.length + prepared.data.length > 0xffffffff) {
      throw new AibgenError('E_BUNDLE', 'the zip would pass 4 GiB, which needs zip64', { details: ['use --format tar.gz'] });
    }
    central.push(centralHeader(prepared, dos, offset));
    await sink.write(localHeader(prepared, dos));
    await sink.write(prepared.data);
  };

  for (const entry of entries) {
    if (entry.kind === 'file' && entry.size > ZIP_MAX_FILE) {
      throw new AibgenError('E_BUNDLE', `${root}/${entry.path} is ${entry.size} bytes; the zip writer takes files up to ${ZIP_MAX_FILE}`, {
        details: ['use --format tar.gz (it streams), or deliver that file with a download step'],
      });
    }
    const bytes = entry.kind === 'file' ? entry.size : 0;
    const job = prepare(entry, root, engine);
    job.catch(() => undefined);
    inFlight.push({ bytes, job });
    bytesInFlight += bytes;
    while (inFlight.length > depth * 64 || (bytesInFlight > 4 * 1024 * 1024 && inFlight.length > 1)) await writeOne();
  }
  while (inFlight.length > 0) await writeOne();

  const cdOffset = sink.size;
  const cd = Buffer.concat(central);
  await sink.write(cd);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length, 8);
  end.writeUInt16LE(central.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  await sink.write(end);
}
