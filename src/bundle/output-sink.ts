import { createHash } from 'node:crypto';
import type { AtomicWriteStream } from '../util/atomic-write.js';

/** Writes archive bytes to the temporary file, hashing and counting them on the way. */
export class OutputSink {
  private readonly hasher = createHash('sha256');
  size = 0;

  constructor(private readonly target: AtomicWriteStream) {}

  async write(data: Uint8Array): Promise<void> {
    if (data.length === 0) return;
    this.hasher.update(data);
    this.size += data.length;
    if (!this.target.stream.write(data)) {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        this.target.stream.once('error', onError);
        this.target.stream.once('drain', () => {
          this.target.stream.off('error', onError);
          resolve();
        });
      });
    }
  }

  digest(): string {
    return this.hasher.digest('hex');
  }
}

/** Keeps at most `depth` compression jobs in flight and writes their results in submission order. */
export class OrderedPipeline {
  private readonly inFlight: Promise<Uint8Array>[] = [];

  constructor(
    private readonly sink: OutputSink,
    private readonly depth: number,
  ) {}

  async submit(job: Promise<Uint8Array>): Promise<void> {
    // Attach a handler now so a failure is never "unhandled" while it waits its turn.
    job.catch(() => undefined);
    this.inFlight.push(job);
    while (this.inFlight.length > this.depth) await this.sink.write(await (this.inFlight.shift() as Promise<Uint8Array>));
  }

  async drain(): Promise<void> {
    while (this.inFlight.length > 0) await this.sink.write(await (this.inFlight.shift() as Promise<Uint8Array>));
  }
}
