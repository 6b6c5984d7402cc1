import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aibgen, tempDir } from '../helpers.js';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const script = '#!/bin/sh\necho fetched\n';
const gzipped = gzipSync(Buffer.from('compressed on the wire\n'));
let server: Server;
let base: string;
let dir: string;
const requests: Record<string, string | undefined>[] = [];

beforeAll(async () => {
  dir = await tempDir();
  server = createServer((request, response) => {
    requests.push({ url: request.url, acceptEncoding: request.headers['accept-encoding'] });
    switch (request.url) {
      case '/ok.sh':
        response.end(script);
        break;
      case '/moved.sh':
        response.writeHead(302, { location: '/again.sh' }).end();
        break;
      case '/again.sh':
        response.writeHead(301, { location: `${base}/ok.sh` }).end();
        break;
      case '/gz':
        response.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipped);
        break;
      case '/big':
        response.end(Buffer.alloc(2048, 1));
        break;
      case '/slow':
        break; // never answers
      default:
        response.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function template(...uris: string[]): string {
  const steps = uris.map((uri, i) => `    { "type": "Shell", "name": "s${i}", "scriptUri": "${uri}" }`).join(',\n');
  return `{\n  "properties": {\n    "customize": [\n${steps}\n    ]\n  }\n}\n`;
}

describe('aibgen fill --fetch against a real HTTP server', () => {
  it('downloads, follows redirects, hashes the bytes as served (no Content-Encoding decoding)', async () => {
    await writeFile(join(dir, 'a.json'), template(`${base}/ok.sh`, `${base}/moved.sh`, `${base}/gz`));
    const result = await aibgen(['fill', '--fetch', 'a.json'], { cwd: dir });
    expect(result.stderr).toContain('3 checksum(s) written');
    expect(result.exitCode).toBe(0);
    const text = await readFile(join(dir, 'a.json'), 'utf8');
    expect(text).toContain(`"scriptUri": "${base}/ok.sh", "sha256Checksum": "${sha(script)}"`);
    expect(text).toContain(`"scriptUri": "${base}/moved.sh", "sha256Checksum": "${sha(script)}"`);
    expect(text).toContain(`"scriptUri": "${base}/gz", "sha256Checksum": "${sha(gzipped)}"`);
    expect(requests.find((r) => r.url === '/gz')?.acceptEncoding).toBe('identity');
  });

  it('without --fetch, http URIs are skipped, not downloaded', async () => {
    const before = requests.length;
    await writeFile(join(dir, 'b.json'), template(`${base}/ok.sh`));
    const result = await aibgen(['fill', '--check', 'b.json'], { cwd: dir });
    // Nothing was checked, which is not a pass.
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('skipped: no --map given (and no --fetch)');
    expect(result.stderr).toContain('nothing was checked');
    expect(requests.length).toBe(before);
  });

  it('--check --fetch on a changed blob says the served file differs from the template, and warns what fill --fetch would pin', async () => {
    await writeFile(join(dir, 'd.json'), template(`${base}/ok.sh`).replace(`"${base}/ok.sh"`, `"${base}/ok.sh", "sha256Checksum": "${'a'.repeat(64)}"`));
    const result = await aibgen(['fill', '--check', '--fetch', 'd.json'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `the served file differs from the template's checksum: it is served with ${sha(script)}, the template says ${'a'.repeat(64)}`,
    );
    expect(result.stderr).toContain('aibgen fill --fetch would pin the bytes served now');
  });

  it('a 404, an oversize body and a silent server fail with exit 2, naming the URL, and write nothing', async () => {
    const text = template(`${base}/missing.sh`, `${base}/big`, `${base}/slow`);
    await writeFile(join(dir, 'c.json'), text);
    const result = await aibgen(['fill', '--fetch', '--fetch-max-size', '1KiB', '--fetch-timeout', '1', 'c.json'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`cannot fetch ${base}/missing.sh: HTTP 404`);
    expect(result.stderr).toContain(`cannot fetch ${base}/big: larger than the 1.0 kB cap (--fetch-max-size)`);
    expect(result.stderr).toContain(`cannot fetch ${base}/slow: no complete answer within 1 s (--fetch-timeout)`);
    expect(await readFile(join(dir, 'c.json'), 'utf8')).toBe(text);
  });
});
