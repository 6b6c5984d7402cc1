import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT, tempDir } from '../helpers.js';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const ACCOUNT = 'devstoreaccount1';
export const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  endpoint: string;
  connectionString: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A real Azure Storage emulator (Azurite's blob service) on a free loopback port, data in a temporary
 * folder, no telemetry. With `https`, it serves TLS with that certificate and checks OAuth bearer
 * tokens ("basic": issuer, audience and lifetime; the signature is Microsoft's to make).
 */
export async function startAzurite(options: { https?: { cert: string; key: string } } = {}): Promise<Azurite> {
  const location = await tempDir('aibgen-azurite-');
  const port = await freePort();
  const tls = options.https ? ['--oauth', 'basic', '--cert', options.https.cert, '--key', options.https.key] : [];
  const child: ChildProcess = spawn(
    join(ROOT, 'node_modules/.bin/azurite-blob'),
    ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location, ...tls, '--skipApiVersionCheck', '--disableTelemetry', '--loose'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Azurite did not start: ${output}`)), 30_000);
    const watch = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('successfully listens')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', watch);
    child.stderr?.on('data', watch);
    child.once('exit', (code) => reject(new Error(`Azurite exited (${code}): ${output}`)));
  });
  const scheme = options.https ? 'https' : 'http';
  const endpoint = `${scheme}://127.0.0.1:${port}/${ACCOUNT}`;
  return {
    endpoint,
    connectionString: `DefaultEndpointsProtocol=${scheme};AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${endpoint};`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
