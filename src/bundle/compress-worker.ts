/**
 * A compression worker: receives chunks, answers with gzip members. libdeflate is loaded here and
 * only here, never on the main thread: its Emscripten glue installs process-wide
 * `uncaughtException` and `unhandledRejection` handlers when imported, which in a worker affect
 * only the worker.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { gzip } from '../../vendor/libdeflate/index.js';
import { gzipMember } from './gzip-member.js';

const port = parentPort as MessagePort;
const { level } = workerData as { level: number };

port.on('message', ({ id, data }: { id: number; data: Uint8Array }) => {
  try {
    const out = gzipMember(gzip, data, level);
    port.postMessage({ id, out, input: data }, [out.buffer as ArrayBuffer, data.buffer as ArrayBuffer]);
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
port.postMessage({ ready: true });
