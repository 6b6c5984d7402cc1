import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { AibgenError, UsageError } from '../errors.js';
import { formatSize } from '../util/size.js';

export interface FetchOptions {
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  /** Receives the body's bytes as they arrive (import stores them); only the final answer's, never a redirect's. */
  onChunk?: (chunk: Buffer) => void;
}

export interface FetchedDigest {
  sha256: string;
  size: number;
  finalUrl: string;
}

function fetchError(url: string, why: string): AibgenError {
  return new AibgenError('E_FETCH', `cannot fetch ${url}: ${why}`, {
    details: ['check the URL, or --map its prefix to a local folder instead of --fetch'],
  });
}

/**
 * Downloads a URL and hashes the body exactly as served: no Content-Encoding is requested or
 * decoded (AIB checks the bytes it downloads). Streams; follows redirects; gives up after the
 * timeout (connection and whole transfer) or the size cap.
 */
export async function fetchAndHash(url: string, options: FetchOptions = {}): Promise<FetchedDigest> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!(timeoutMs > 0 && timeoutMs <= 2 ** 31 - 1))
    throw new UsageError(`the fetch timeout must be from 1 ms to ${2 ** 31 - 1} ms (24.8 days), got ${timeoutMs} ms`);
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 5;
  const deadline = Date.now() + timeoutMs;
  let current = url;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const result = await getOnce(current, deadline, timeoutMs, maxBytes, options.onChunk);
    if ('redirect' in result) {
      current = new URL(result.redirect, current).href;
      continue;
    }
    return { ...result, finalUrl: current };
  }
  throw fetchError(url, `more than ${maxRedirects} redirects`);
}

type Once = { sha256: string; size: number } | { redirect: string };

function getOnce(url: string, deadline: number, timeoutMs: number, maxBytes: number, onChunk?: (chunk: Buffer) => void): Promise<Once> {
  return new Promise((resolveOnce, rejectOnce) => {
    let settled = false;
    const resolvePromise = (value: Once) => {
      if (!settled) resolveOnce(value);
      settled = true;
    };
    const reject = (error: Error) => {
      if (!settled) rejectOnce(error);
      settled = true;
    };
    // Abort without handing the error to the socket (an 'error' event there would be unhandled).
    const abort = (error: AibgenError) => {
      reject(error);
      request.destroy();
    };
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(fetchError(url, 'not a valid URL'));
      return;
    }
    const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
    if (!client) {
      reject(fetchError(url, `unsupported protocol ${parsed.protocol}`));
      return;
    }
    const remaining = deadline - Date.now();
    const request = client.get(parsed, { headers: { 'accept-encoding': 'identity', 'user-agent': 'aibgen' } }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        resolvePromise({ redirect: response.headers.location });
        return;
      }
      if (status !== 200) {
        response.resume();
        reject(fetchError(url, `HTTP ${status} ${response.statusMessage ?? ''}`.trim()));
        return;
      }
      const hasher = createHash('sha256');
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          abort(fetchError(url, `larger than the ${formatSize(maxBytes)} cap (--fetch-max-size)`));
          return;
        }
        hasher.update(chunk);
        onChunk?.(chunk);
      });
      response.on('end', () => {
        if (!response.complete) reject(fetchError(url, 'the connection closed before the whole body arrived'));
        else resolvePromise({ sha256: hasher.digest('hex'), size });
      });
      response.on('error', (error) => reject(fetchError(url, error.message)));
    });
    const timer = setTimeout(() => abort(fetchError(url, `no complete answer within ${timeoutMs / 1000} s (--fetch-timeout)`)), Math.max(1, remaining));
    request.on('close', () => clearTimeout(timer));
    request.on('error', (error) => reject(fetchError(url, error.message)));
  });
}
