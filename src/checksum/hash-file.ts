import { createHash } from 'node:crypto';
import { sha256Hex } from '../util/sha256.js';
import { close, closeSync, openSync, read, readSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';

export interface FileDigest {
  sha256: string;
  size: number;
}

/**
 * Reads of 1 MiB: on this class of machine 64 KiB stream chunks are 3x slower for large files,
 * and two buffers let the next read run while the current chunk is hashed. A plain synchronous
 * loop into one buffer was measured against this (1 GiB, page cache warm, best of 8, twice):
 * 0.919/0.959 s against 0.889/0.943 s for the double-buffered reads, so these stay.
 */
const CHUNK = 1 << 20;
let sharedFirstChunk: Buffer | undefined;
const readAsync = promisify(read);
const closeAsync = promisify(close);

/**
 * SHA-256 of a file's bytes exactly as stored, streamed: memory stays at two 1 MiB buffers
 * whatever the file size. Small files (most scripts) are read with one synchronous read, which
 * avoids several thread-pool round trips per file and is what makes hashing thousands of small
 * files as fast as sha256sum.
 */
export async function hashFile(path: string | Buffer): Promise<FileDigest> {
  const first = (sharedFirstChunk ??= Buffer.allocUnsafe(CHUNK));
  const fd = openSync(path, 'r');
  let bytes: number;
  try {
    bytes = readSync(fd, first, 0, CHUNK, null);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  if (bytes < CHUNK) {
    closeSync(fd);
    return { sha256: sha256Hex(first.subarray(0, bytes)), size: bytes };
  }
  const hasher = createHash('sha256');
  hasher.update(first);
  let size = bytes;
  // Large file: continue asynchronously on the same descriptor, double-buffered.
  try {
    const buffers: [Buffer, Buffer] = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    let current: 0 | 1 = 0;
    let pending: Promise<{ bytesRead: number }> = readAsync(fd, buffers[0], 0, CHUNK, size);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const chunk = buffers[current];
      size += bytesRead;
      current = current === 0 ? 1 : 0;
      pending = readAsync(fd, buffers[current], 0, CHUNK, size);
      hasher.update(bytesRead === CHUNK ? chunk : chunk.subarray(0, bytesRead));
    }
  } finally {
    await closeAsync(fd);
  }
  return { sha256: hasher.digest('hex'), size };
}

export async function hashStream(stream: Readable): Promise<FileDigest> {
  const hasher = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    hasher.update(buffer);
  }
  return { sha256: hasher.digest('hex'), size };
}
