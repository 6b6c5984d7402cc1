import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aibgen, tempDir } from '../helpers.js';
import { startAzurite, type Azurite } from '../publish/azurite.js';
import { makeProject } from './helpers.js';

/**
 * publish uploads only what build made, only under baseUri, and calls a blob "already there" only
 * when its bytes are: each case edits artifacts.json or the container as a careless or hostile user
 * would, against a real Azurite, and checks nothing was uploaded.
 */

interface Record_ {
  name: string;
  list: string;
  file: string;
  uri: string;
  sha256: string;
  size: number;
  kind: string;
  inputs: string;
}

let azurite: Azurite;
let service: BlobServiceClient;

beforeAll(async () => {
  azurite = await startAzurite();
  service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  await service.getContainerClient('aib').create();
}, 60_000);
afterAll(async () => azurite?.stop());

const env = () => ({ AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString });

/** Projects built once per name; each caller gets its own copy (cp -a keeps what build made byte for byte). */
const builds = new Map<string, Promise<string>>();

async function built(name: string): Promise<{ root: string; records: Record_[]; write: (records: unknown) => Promise<void> }> {
  let original = builds.get(name);
  if (!original) {
    original = (async () => {
      const made = await makeProject(join(await tempDir(), name), { baseUri: `${azurite.endpoint}/aib/${name}/` });
      const result = await aibgen(['build', made, '--quiet']);
      expect(result.exitCode, result.stderr).toBe(0);
      return made;
    })();
    builds.set(name, original);
  }
  const root = join(await tempDir(), name);
  await cp(await original, root, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  const path = join(root, 'dist/artifacts.json');
  const records = JSON.parse(await readFile(path, 'utf8')) as Record_[];
  return { root, records, write: (r) => writeFile(path, typeof r === 'string' ? r : JSON.stringify(r, null, 2)) };
}

async function blobsUnder(prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of service.getContainerClient('aib').listBlobsFlat({ prefix })) names.push(blob.name);
  return names;
}

describe('only what build made, only under baseUri', () => {
  const edits: [string, (records: Record_[], root: string) => unknown, RegExp][] = [
    ['a file outside the project', (r) => [{ ...r[0], file: '../victim/template.json' }], /does not exist|is not a file aibgen build made/],
    ['aibgen.json itself', (r) => [{ ...r[0], file: 'aibgen.json' }], /is not a file aibgen build made/],
    ['the input template', (r) => [{ ...r[0], file: 'template.json' }], /is not a file aibgen build made/],
    [
      'a symlink in the artifacts folder to a system file',
      async (r, root) => {
        await symlink('/etc/passwd', join(root, 'dist/artifacts/passwd.sh'));
        return [{ ...r[0], file: 'dist/artifacts/passwd.sh' }];
      },
      /resolves to \/etc\/passwd, outside dist\/artifacts/,
    ],
    ['a URI with a dot-dot segment', (r) => [{ ...r[0], uri: r[0]!.uri.replace(/\/([^/]+)$/, '/p/../q/$1') }], /a \. or \.\. segment/],
    ['a URI with an encoded dot-dot', (r) => [{ ...r[0], uri: r[0]!.uri.replace(/\/([^/]+)$/, '/p/%2e%2e/$1') }], /encoded dot or separator/],
    ['a URI with an encoded slash', (r) => [{ ...r[0], uri: r[0]!.uri.replace(/\/([^/]+)$/, '/p%2F$1') }], /encoded dot or separator/],
    ['a URI with a right-to-left override', (r) => [{ ...r[0], uri: r[0]!.uri.replace(/\/([^/]+)$/, '/\u202e$1') }], /bidirectional/],
    ['a URI outside baseUri', (r) => [{ ...r[0], uri: r[0]!.uri.replace('/aib/', '/other/') }], /not under the project's baseUri/],
    ['a URI under baseUri but not the one build gives', (r) => [{ ...r[0], uri: r[0]!.uri.replace(/\/([^/]+)$/, '/renamed-$1') }], /not the URI build gives/],
    ['a wrong size', (r) => [{ ...r[0], size: r[0]!.size + 1 }], /other bytes than artifacts.json lists/],
    ['duplicate URIs', (r) => [r[0], { ...r[1], uri: r[0]!.uri }], /the same URI as \/0/],
    ['a malformed file', () => '[{"name": 1}]', /\/0\/name: expected a non-empty string/],
    ['not a list', () => '{"files": []}', /expected a list of artifacts/],
  ];
  for (const [what, edit, message] of edits) {
    it(`refuses ${what}: exit 2, nothing uploaded`, async () => {
      // One build for every case (each edits its own copy): all are refused, so nothing may appear under its prefix.
      const name = 'refusals';
      const { root, records, write } = await built(name);
      await mkdir(join(root, '..', 'victim'), { recursive: true });
      await writeFile(join(root, '..', 'victim', 'template.json'), '{"secret": true}');
      await write(await edit(records, root));
      const result = await aibgen(['publish', root], { env: env() });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain('internal error');
      expect(result.exitCode, result.stderr).toBe(2);
      expect(await blobsUnder(`${name}/`)).toEqual([]);
      expect(await blobsUnder('q/')).toEqual([]);
    });
  }
});

describe('a blob is "already there" only when its bytes are', () => {
  it('a short blob that carries the right sha256 metadata is a conflict (exit 1), left untouched, even with --verify', async () => {
    const { root, records } = await built('decoy');
    const record = records.find((r) => r.kind === 'script')!;
    const blobName = decodeURIComponent(new URL(record.uri).pathname.split('/').slice(3).join('/'));
    const blob = service.getContainerClient('aib').getBlockBlobClient(blobName);
    await blob.upload('#!/bin/sh\necho decoy here\n', 26, { metadata: { sha256: record.sha256 } });
    for (const args of [[], ['--verify']]) {
      const result = await aibgen(['publish', root, '--json', ...args], { env: env() });
      expect(result.exitCode, result.stderr).toBe(1);
      const status = (JSON.parse(result.stdout) as { artifacts: { file: string; status: string; reason?: string }[] }).artifacts.find(
        (a) => a.file === record.file,
      )!;
      expect(status.status).toBe('conflict');
      expect(status.reason).toMatch(/holds 26 bytes, the artifact \d+/);
    }
    expect((await blob.downloadToBuffer()).toString()).toBe('#!/bin/sh\necho decoy here\n');
  });

  it('a blob of the same length without Content-MD5 is proven by downloading it (--verify), else refused with why', async () => {
    const { root, records } = await built('nomd5');
    const record = records.find((r) => r.kind === 'script')!;
    const blobName = decodeURIComponent(new URL(record.uri).pathname.split('/').slice(3).join('/'));
    const bytes = await readFile(join(root, record.file));
    const blob = service.getContainerClient('aib').getBlockBlobClient(blobName);
    // Staged as a block list: the service keeps no Content-MD5 for the whole blob.
    await blob.stageBlock(Buffer.from('000000').toString('base64'), bytes, bytes.length);
    await blob.commitBlockList([Buffer.from('000000').toString('base64')]);
    const plain = await aibgen(['publish', root, '--json'], { env: env() });
    const first = (JSON.parse(plain.stdout) as { artifacts: { file: string; status: string; reason?: string }[] }).artifacts.find(
      (a) => a.file === record.file,
    )!;
    expect(first).toMatchObject({ status: 'conflict' });
    expect(first.reason).toMatch(/no Content-MD5.*--verify/);
    const verified = await aibgen(['publish', root, '--json', '--verify'], { env: env() });
    expect(verified.exitCode, verified.stderr).toBe(0);
    expect((JSON.parse(verified.stdout) as { artifacts: { file: string; status: string }[] }).artifacts.find((a) => a.file === record.file)!.status).toBe(
      'skipped',
    );
  });
});

describe('messages that name the real cause', () => {
  it('no credentials for an http endpoint: says so, not "Bearer token authentication is not permitted"', async () => {
    const { root } = await built('nocreds');
    const result = await aibgen(['publish', root], { env: { AZURE_STORAGE_CONNECTION_STRING: '', AZURE_STORAGE_SAS_TOKEN: '', PATH: '/usr/bin:/bin' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /no credentials for http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1: an Azure sign-in sends a bearer token, which only goes over https/,
    );
    expect(result.stderr).not.toContain('Bearer token authentication is not permitted');
  });

  it('names the malformed part of a connection string or SAS, never its value', async () => {
    const { root } = await built('malformed');
    const cases: [Record<string, string>, RegExp][] = [
      [{ AZURE_STORAGE_CONNECTION_STRING: 'AccountName=devstoreaccount1;AccountKey=not base64!!' }, /AccountKey is not base64/],
      [{ AZURE_STORAGE_CONNECTION_STRING: 'AccountName=devstoreaccount1' }, /AccountName=devstoreaccount1 is given without AccountKey/],
      [{ AZURE_STORAGE_CONNECTION_STRING: 'garbage' }, /a part has no "="/],
      [{ AZURE_STORAGE_SAS_TOKEN: 'sv=2022-11-02&sp=rcw' }, /has no signature \(sig=\)/],
      [{ AZURE_STORAGE_SAS_TOKEN: 'sv=2022-11-02&sp=r&sig=c2VjcmV0c2lnbmF0dXJlc2VjcmV0' }, /sp=r\) do not allow writing/],
      [{ AZURE_STORAGE_SAS_TOKEN: 'sv=2022-11-02&sp=rcw&se=2001-01-01T00:00:00Z&sig=c2VjcmV0c2lnbmF0dXJlc2VjcmV0' }, /expired at 2001-01-01T00:00:00Z/],
    ];
    for (const [variables, message] of cases) {
      const result = await aibgen(['publish', root], { env: { AZURE_STORAGE_CONNECTION_STRING: '', AZURE_STORAGE_SAS_TOKEN: '', ...variables } });
      expect(result.stderr, JSON.stringify(variables)).toMatch(message);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).not.toContain('c2VjcmV0c2lnbmF0dXJl');
      expect(result.stderr).not.toContain('not base64!!');
    }
  });

  it('a wrong key is a 403 with its error code; --dry-run into a container that does not exist fails and says so', async () => {
    const { root } = await built('nocontainer');
    const wrongKey = azurite.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${Buffer.alloc(64, 1).toString('base64')}`);
    const denied = await aibgen(['publish', root], { env: { AZURE_STORAGE_CONNECTION_STRING: wrongKey } });
    expect(denied.exitCode).toBe(2);
    expect(denied.stderr).toMatch(/HTTP 403 AuthorizationFailure|HTTP 403 AuthenticationFailed/);
    const other = await makeProject(join(await tempDir(), 'p'), { baseUri: `${azurite.endpoint}/missing-container/x/` });
    expect((await aibgen(['build', other, '--quiet'])).exitCode).toBe(0);
    const dry = await aibgen(['publish', other, '--dry-run'], { env: env() });
    expect(dry.exitCode).toBe(2);
    expect(dry.stderr).toMatch(/container "missing-container" does not exist/);
    expect(dry.stdout).not.toMatch(/would upload/);
  });
});
