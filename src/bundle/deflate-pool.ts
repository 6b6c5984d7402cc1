import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * gzip via libdeflate compiled to WebAssembly, pinned to one exact version. Node's own zlib is
 * Chromium's fork, whose deflate output depends on how Node was built and on the CPU (its hash
 * function has a CRC32-instruction variant), so it cannot promise the same bytes on every machine
 * and Node version. WebAssembly runs the same instructions everywhere, so libdeflate at a fixed
 * version and level gives the same bytes everywhere.
 */
export interface GzipEngine {
  /**
   * A complete gzip member for `data` (mtime 0, no name). The engine takes ownership of `data`
   * (its buffer may move to a worker) and hands it back as `input` with the result, so callers can
   * reuse their buffers instead of allocating new ones.
   */
  gzip(data: Uint8Array): Promise<GzipResult>;
  close(): Promise<void>;
}

export interface GzipResult {
  out: Uint8Array;
  input: Uint8Array;
}

type Gzip = (input: Uint8Array, level?: number) => Uint8Array;

/**
 * Incompressible input (already-compressed or random files) costs CPU at any level and gains
 * nothing. A member whose first 64 KiB do not shrink by 2% at level 1 is written as stored deflate
 * blocks directly (a copy and a CRC-32), which is what deflate would emit for it anyway, at memory
 * speed. The rule looks only at the bytes, so the output stays reproducible. Kept as source text
 * because the workers evaluate the same code.
 */
const GZIP_CODE = `
const CRC_TABLE = (() => {
  const t = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ t[t[(k - 1) * 256 + n] & 0xff];
  return t;
})();
function crc32(data) {
  const t = CRC_TABLE;
  let c = -1, i = 0;
  const end8 = data.length - (data.length % 8);
  for (; i < end8; i += 8) {
    c ^= data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    c = t[1792 + (c & 0xff)] ^ t[1536 + ((c >>> 8) & 0xff)] ^ t[1280 + ((c >>> 16) & 0xff)] ^ t[1024 + (c >>> 24)] ^
        t[768 + data[i + 4]] ^ t[512 + data[i + 5]] ^ t[256 + data[i + 6]] ^ t[data[i + 7]];
  }
  for (; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function storedMember(data) {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = new Uint8Array(10 + data.length + 5 * blocks + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff], 0);
  let o = 10;
  for (let b = 0; b < blocks; b++) {
    const start = b * 65535;
    const len = Math.min(65535, data.length - start);
    out[o] = b === blocks - 1 ? 1 : 0;
    out[o + 1] = len & 0xff; out[o + 2] = len >>> 8;
    out[o + 3] = ~len & 0xff; out[o + 4] = (~len >>> 8) & 0xff;
    out.set(data.subarray(start, start + len), o + 5);
    o += 5 + len;
  }
  const view = new DataView(out.buffer);
  view.setUint32(o, crc32(data), true);
  view.setUint32(o + 4, data.length >>> 0, true);
  return out;
}
function gzipMember(gzip, data, level) {
  if (level > 1 && data.length >= 131072) {
    const probe = gzip(data.subarray(0, 65536), 1);
    if (probe.length > 65536 * 0.98 + 18) return storedMember(data);
  }
  return gzip(data, level);
}
`;
// The same code, compiled once for the inline engine (the workers compile their own copy).
const gzipMember = new Function(`${GZIP_CODE}; return gzipMember;`)() as (gzip: Gzip, data: Uint8Array, level: number) => Uint8Array;

async function loadLibdeflate(): Promise<Gzip> {
  const module = (await import('libdeflate')) as { gzip: Gzip };
  return module.gzip;
}

/** Compresses on the calling thread: right for small inputs, where starting workers costs more than it saves. */
export async function inlineEngine(level: number): Promise<GzipEngine> {
  const gzip = await loadLibdeflate();
  return {
    gzip: async (data) => ({ out: gzipMember(gzip, data, level), input: data }),
    close: async () => undefined,
  };
}

// Evaluated in each worker. It imports libdeflate by URL, so the same code runs from src/ (tests) and dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
${GZIP_CODE}
import(workerData.libdeflate).then(({ gzip }) => {
  parentPort.on('message', ({ id, data }) => {
    try {
      const out = gzipMember(gzip, data, workerData.level);
      parentPort.postMessage({ id, out, input: data }, [out.buffer, data.buffer]);
    } catch (error) {
      parentPort.postMessage({ id, error: String(error && error.message || error) });
    }
  });
  parentPort.postMessage({ ready: true });
});
`;

/** Compresses on worker threads, one job per worker at a time; results resolve per call. */
export async function workerEngine(level: number, count = Math.min(availableParallelism(), 4)): Promise<GzipEngine> {
  const libdeflate = pathToFileURL(createRequire(import.meta.url).resolve('libdeflate')).href;
  const workers = await Promise.all(
    Array.from({ length: Math.max(1, count) }, () => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { libdeflate, level } });
      return new Promise<Worker>((resolve, reject) => {
        worker.once('message', () => resolve(worker));
        worker.once('error', reject);
      });
    }),
  );
  const idle = [...workers];
  const queue: { id: number; data: Uint8Array }[] = [];
  const pending = new Map<number, { resolve: (result: GzipResult) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;

  const dispatch = () => {
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.pop() as Worker;
      const job = queue.shift() as { id: number; data: Uint8Array };
      // Structured clone would copy a view's whole backing buffer; send exactly the bytes, moved not copied.
      const exact = job.data.byteOffset === 0 && job.data.byteLength === job.data.buffer.byteLength && job.data.buffer instanceof ArrayBuffer ? job.data : new Uint8Array(job.data);
      worker.postMessage({ id: job.id, data: exact }, [exact.buffer as ArrayBuffer]);
    }
  };
  for (const worker of workers) {
    worker.on('message', (message: { id: number; out?: Uint8Array; input?: Uint8Array; error?: string }) => {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      idle.push(worker);
      if (message.out && message.input) waiter?.resolve({ out: message.out, input: message.input });
      else waiter?.reject(new Error(`compression failed: ${message.error ?? 'unknown error'}`));
      dispatch();
    });
    worker.on('error', (error) => {
      failure = error;
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    });
  }
  return {
    gzip(data) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        queue.push({ id, data });
        dispatch();
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Splits a gzip member from libdeflate into its raw deflate stream and CRC-32 (its header is always 10 bytes). */
export function splitGzipMember(member: Uint8Array): { deflated: Uint8Array; crc32: number } {
  const view = new DataView(member.buffer, member.byteOffset, member.byteLength);
  if (member[0] !== 0x1f || member[1] !== 0x8b || member[3] !== 0) throw new Error('unexpected gzip header from libdeflate');
  return { deflated: member.subarray(10, member.length - 8), crc32: view.getUint32(member.length - 8, true) };
}
