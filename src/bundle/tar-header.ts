/**
 * Why hand-written rather than node-tar's Pack: the archive must be a pure function of the entries
 * (same bytes on every machine, pinned by the golden-archive tests), and the tar stream is cut at
 * fixed 8 MiB offsets into gzip members compressed on worker threads. node-tar takes modes, times
 * and order from the file system and writes into its own zlib stream; wrapping it to fix each field
 * and re-cut its output costs more code than these 150 lines. node-tar still checks us: tests parse
 * our headers with it.
 *
 * ustar headers with every field fixed by us, so the bytes depend on nothing but the entry:
 * uid/gid 0, empty owner names, a fixed mtime, modes 0644/0755, no atime/ctime. Paths over the
 * ustar limits get a pax `path` / `linkpath` record, as GNU tar and bsdtar read.
 */

const BLOCK = 512;
/** The largest size ustar's 12-byte octal field holds: 8 GiB - 1. */
export const MAX_USTAR_SIZE = 0o77777777777;

export interface TarHeaderFields {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  mtime: number;
  linkTarget?: string;
}

function writeString(block: Buffer, offset: number, length: number, value: string | Buffer): void {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  bytes.copy(block, offset, 0, Math.min(length, bytes.length));
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  // length-1 octal digits, zero-padded, then NUL (what GNU tar writes).
  const digits = value.toString(8).padStart(length - 1, '0');
  if (digits.length > length - 1) throw new Error(`value ${value} does not fit a ${length}-byte tar field`);
  block.write(`${digits}\0`, offset, length, 'ascii');
}

function checksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
  return sum;
}

function rawHeader(name: Buffer, prefix: Buffer, typeflag: string, mode: number, size: number, mtime: number, linkname: Buffer): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtime);
  block.write(typeflag, 156, 1, 'ascii');
  writeString(block, 157, 100, linkname);
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  // uname/gname (265, 297) stay empty; devmajor/devminor as GNU tar writes them for regular entries.
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  writeString(block, 345, 155, prefix);
  const sum = checksum(block);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

/** Splits a path into ustar prefix/name, or returns undefined when it does not fit. */
function splitUstar(path: Buffer): { name: Buffer; prefix: Buffer } | undefined {
  if (path.length <= 100) return { name: path, prefix: Buffer.alloc(0) };
  // The rightmost slash that leaves a name of 1-100 bytes and a prefix of at most 155.
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== 0x2f) continue;
    const name = path.subarray(i + 1);
    if (name.length > 100) return undefined; // further left only makes the name longer
    const prefix = path.subarray(0, i);
    if (name.length > 0 && prefix.length <= 155) return { name, prefix };
  }
  return undefined;
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body, 'utf8');
  let length = bodyLength + String(bodyLength).length;
  if (String(length).length + bodyLength !== length) length = bodyLength + String(length).length;
  return Buffer.from(`${length}${body}`, 'utf8');
}

function padTo512(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

/** The header block(s) for one entry (a pax extended header first when needed). */
export function tarHeader(fields: TarHeaderFields): Buffer {
  const fullPath = fields.type === 'dir' ? `${fields.path}/` : fields.path;
  const pathBytes = Buffer.from(fullPath, 'utf8');
  const linkBytes = Buffer.from(fields.linkTarget ?? '', 'utf8');
  const split = splitUstar(pathBytes);
  const records: Buffer[] = [];
  if (!split) records.push(paxRecord('path', fullPath));
  // 8 GiB and more does not fit the 11 octal digits of ustar's size field: pax carries it.
  const bigSize = fields.type === 'file' && fields.size > MAX_USTAR_SIZE;
  if (bigSize) records.push(paxRecord('size', String(fields.size)));
  if (linkBytes.length > 100) records.push(paxRecord('linkpath', fields.linkTarget ?? ''));
  const typeflag = fields.type === 'file' ? '0' : fields.type === 'dir' ? '5' : '2';
  const size = fields.type === 'file' && !bigSize ? fields.size : 0;
  const main = rawHeader(
    split ? split.name : pathBytes.subarray(0, 100),
    split ? split.prefix : Buffer.alloc(0),
    typeflag,
    fields.mode,
    size,
    fields.mtime,
    linkBytes.length > 100 ? linkBytes.subarray(0, 100) : linkBytes,
  );
  if (records.length === 0) return main;
  const pax = Buffer.concat(records);
  // The pax header's own name is fixed (GNU tar uses a PID in it, which would not be reproducible).
  const paxHeader = rawHeader(Buffer.from('././@PaxHeader'), Buffer.alloc(0), 'x', 0o644, pax.length, fields.mtime, Buffer.alloc(0));
  return Buffer.concat([paxHeader, padTo512(pax), main]);
}

/** Zero padding after `size` bytes of content. */
export function contentPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** The end-of-archive marker: two zero blocks. */
export const TAR_END = Buffer.alloc(2 * BLOCK);
