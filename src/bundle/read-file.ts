import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { AibgenError } from '../errors.js';

/**
 * Reads exactly `size` bytes of `path`, in pieces into whatever buffer `room()` offers, calling
 * `advance()` after each piece; fails if the file changed size meanwhile. Synchronous reads: the
 * archive writer is the only producer, and compression runs on worker threads, so blocking here
 * costs nothing while avoiding three thread-pool round trips per small file.
 */
export async function readExactly(path: string, displayPath: string, size: number, room: (want: number) => { buffer: Buffer; offset: number }, advance: (bytes: number) => Promise<void>): Promise<void> {
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < size) {
      const want = size - done;
      const { buffer, offset } = room(want);
      const bytesRead = readSync(fd, buffer, offset, Math.min(want, buffer.length - offset), done);
      if (bytesRead === 0) throw changed(displayPath);
      done += bytesRead;
      await advance(bytesRead);
    }
    if (fstatSync(fd).size !== size) throw changed(displayPath);
  } finally {
    closeSync(fd);
  }
}

function changed(path: string): AibgenError {
  return new AibgenError('E_BUNDLE', `${path} changed size while it was being archived`, { details: ['run the bundle again when nothing is writing to the folder'] });
}
