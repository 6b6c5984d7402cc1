import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * The compiled worker module next to this file. When this module runs from src/ (unit tests load
 * TypeScript directly, which a worker thread cannot), the build's copy in dist/ is used: `npm test`
 * builds first.
 */
function workerFile(): URL {
  const beside = new URL('./compress-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL('../../dist/bundle/compress-worker.js', import.meta.url);
}
const WORKER_FILE = workerFile();

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

function startWorker(level: number): Promise<Worker> {
  const worker = new Worker(WORKER_FILE, { workerData: { level } });
  return new Promise<Worker>((resolve, reject) => {
    worker.once('message', () => resolve(worker));
    worker.once('error', reject);
  });
}

/**
 * Compresses on worker threads, one job per worker at a time; results resolve per call. Always in
 * workers, even for small inputs: libdeflate must not load on the main thread (see
 * compress-worker.js). A pool starts with one worker and grows when the input turns out large.
 */
export class WorkerEngine implements GzipEngine {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { id: number; data: Uint8Array }[] = [];
  private readonly pending = new Map<number, { resolve: (result: GzipResult) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;

  private constructor(private readonly level: number) {}

  static async start(level: number, count = 1): Promise<WorkerEngine> {
    const engine = new WorkerEngine(level);
    await engine.grow(count);
    return engine;
  }

  /** Adds workers until there are `total` (at most 4, and no more than the machine's cores). */
  async grow(total = Math.min(availableParallelism(), 4)): Promise<void> {
    const wanted = Math.max(1, total) - this.workers.length;
    if (wanted <= 0) return;
    const started = await Promise.all(Array.from({ length: wanted }, () => startWorker(this.level)));
    for (const worker of started) this.adopt(worker);
    this.dispatch();
  }

  private adopt(worker: Worker): void {
    this.workers.push(worker);
    this.idle.push(worker);
    worker.on('message', (message: { id: number; out?: Uint8Array; input?: Uint8Array; error?: string }) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      this.idle.push(worker);
      if (message.out && message.input) waiter?.resolve({ out: message.out, input: message.input });
      else waiter?.reject(new Error(`compression failed: ${message.error ?? 'unknown error'}`));
      this.dispatch();
    });
    worker.on('error', (error) => {
      this.failure = error;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const job = this.queue.shift() as { id: number; data: Uint8Array };
      // Structured clone would copy a view's whole backing buffer; send exactly the bytes, moved not copied.
      const exact =
        job.data.byteOffset === 0 && job.data.byteLength === job.data.buffer.byteLength && job.data.buffer instanceof ArrayBuffer
          ? job.data
          : new Uint8Array(job.data);
      worker.postMessage({ id: job.id, data: exact }, [exact.buffer as ArrayBuffer]);
    }
  }

  gzip(data: Uint8Array): Promise<GzipResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.queue.push({ id, data });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Splits a gzip member from libdeflate into its raw deflate stream and CRC-32 (its header is always 10 bytes). */
export function splitGzipMember(member: Uint8Array): { deflated: Uint8Array; crc32: number } {
  const view = new DataView(member.buffer, member.byteOffset, member.byteLength);
  if (member[0] !== 0x1f || member[1] !== 0x8b || member[3] !== 0) throw new Error('unexpected gzip header from libdeflate');
  return { deflated: member.subarray(10, member.length - 8), crc32: view.getUint32(member.length - 8, true) };
}
