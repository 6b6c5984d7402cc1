import { contentPadding, tarHeader, TAR_END } from './tar-header.js';
import type { GzipEngine } from './gzip-workers.js';
import { OrderedPipeline, type OutputSink } from './output-sink.js';
import { readExactly } from './read-file.js';
import type { BundleEntry } from './walk.js';

/**
 * Input is cut into chunks of this size and each chunk becomes one gzip member; the members are
 * concatenated (RFC 1952 allows it; gzip, GNU tar, bsdtar and Python read it). Chunks compress in
 * parallel, and because the cut points depend only on the input, the output does not depend on
 * the number of workers. Changing this value changes every archive's bytes: it is part of the format.
 */
export const GZIP_MEMBER_INPUT = 8 << 20;

/**
 * The content of a file this large gets gzip members of its own, so that a big incompressible file
 * (an installer, a zip) is not mixed with text in one member: each member's level is chosen from
 * its own bytes (see gzip-workers.ts). Also part of the format.
 */
export const OWN_MEMBER_FILE_SIZE = 128 * 1024;

/** Streams a tar of `entries` through gzip into `sink`; memory stays at a few chunks. */
export async function writeTarGz(
  entries: readonly BundleEntry[],
  root: string,
  mtime: number,
  engine: GzipEngine,
  sink: OutputSink,
  depth: number,
): Promise<void> {
  const pipeline = new OrderedPipeline(sink, depth);
  // Full chunks travel to a worker and come back; reusing them keeps memory flat.
  const spare: Buffer<ArrayBuffer>[] = [];
  const recycle = (input: Uint8Array) => {
    if (input.byteLength === GZIP_MEMBER_INPUT && spare.length < depth + 2)
      spare.push(Buffer.from(input.buffer as ArrayBuffer, input.byteOffset, input.byteLength));
  };
  let chunk: Buffer<ArrayBuffer> = Buffer.allocUnsafeSlow(GZIP_MEMBER_INPUT);
  let used = 0;

  const flush = async () => {
    if (used === 0) return;
    let data: Uint8Array;
    if (used === GZIP_MEMBER_INPUT) {
      // Hand the full buffer over (no copy) and start a new one.
      data = chunk;
      chunk = spare.pop() ?? Buffer.allocUnsafeSlow(GZIP_MEMBER_INPUT);
    } else {
      data = new Uint8Array(chunk.subarray(0, used)); // a copy (Buffer#slice would share memory)
    }
    used = 0;
    await pipeline.submit(
      engine.gzip(data).then(({ out, input }) => {
        recycle(input);
        return out;
      }),
    );
  };
  const append = async (bytes: Uint8Array) => {
    let offset = 0;
    while (offset < bytes.length) {
      const n = Math.min(bytes.length - offset, GZIP_MEMBER_INPUT - used);
      chunk.set(bytes.subarray(offset, offset + n), used);
      used += n;
      offset += n;
      if (used === GZIP_MEMBER_INPUT) await flush();
    }
  };

  for (const entry of entries) {
    if (entry.kind === 'dir') {
      await append(tarHeader({ path: entry.path, type: 'dir', mode: 0o755, size: 0, mtime }));
    } else if (entry.kind === 'symlink') {
      await append(tarHeader({ path: entry.path, type: 'symlink', mode: 0o777, size: 0, mtime, linkTarget: entry.target }));
    } else {
      await append(tarHeader({ path: entry.path, type: 'file', mode: entry.executable ? 0o755 : 0o644, size: entry.size, mtime }));
      // A big file's content gets members of its own; headers and padding stay with their neighbours.
      const ownMembers = entry.size >= OWN_MEMBER_FILE_SIZE;
      if (ownMembers) await flush();
      // Read file content straight into the chunk buffer.
      await readExactly(
        entry.source,
        `${root}/${entry.path}`,
        entry.size,
        () => ({ buffer: chunk, offset: used }),
        async (bytes) => {
          used += bytes;
          if (used === GZIP_MEMBER_INPUT) await flush();
        },
      );
      if (ownMembers) await flush();
      await append(contentPadding(entry.size));
    }
  }
  await append(TAR_END);
  await flush();
  await pipeline.drain();
}
