import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aibgen, tempDir } from '../helpers.js';
import { makeProject } from '../safety/helpers.js';
import { KEY, startAzurite, type Azurite } from './azurite.js';

interface Record_ {
  file: string;
  uri: string;
  sha256: string;
  size: number;
}

let azurite: Azurite;
let service: BlobServiceClient;

beforeAll(async () => {
  azurite = await startAzurite();
  service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  // Public read, as AIB would read with its identity: fill --fetch checks the bytes over plain HTTP.
  await service.getContainerClient('aib').create({ access: 'blob' });
}, 60_000);
afterAll(async () => azurite?.stop());

async function project(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const root = await makeProject(join(await tempDir(), name), { baseUri: `${azurite.endpoint}/aib/${name}/`, ...extra });
  const built = await aibgen(['build', root, '--quiet']);
  expect(built.exitCode, built.stderr).toBe(0);
  return root;
}

const env = () => ({ AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString });
const records = async (root: string) => JSON.parse(await readFile(join(root, 'dist/artifacts.json'), 'utf8')) as Record_[];
const blobName = (uri: string) => decodeURIComponent(new URL(uri).pathname.split('/').slice(3).join('/'));
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function neverLeaks(...outputs: string[]): void {
  for (const text of outputs) {
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(KEY.slice(0, 20));
    expect(text).not.toMatch(/sig=(?!<redacted>)[^&\s]/);
  }
}

describe('aibgen publish, against a real Azure Storage emulator (Azurite)', () => {
  it('uploads every artifact with its exact bytes; fill --check --fetch then passes; a second publish uploads nothing', { timeout: 120_000 }, async () => {
    const root = await project('first');
    const result = await aibgen(['publish', root], { env: env() });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^artifact +status +size +blob$/m);
    const container = service.getContainerClient('aib');
    const etags = new Map<string, string>();
    for (const record of await records(root)) {
      const blob = container.getBlobClient(blobName(record.uri));
      const bytes = await blob.downloadToBuffer();
      expect(sha(bytes)).toBe(record.sha256);
      const properties = await blob.getProperties();
      expect(properties.metadata?.sha256).toBe(record.sha256);
      expect(properties.contentType).toBe(record.file.endsWith('.tar.gz') ? 'application/gzip' : 'text/x-shellscript');
      etags.set(record.file, properties.etag as string);
    }
    // Nothing else from the folder went up.
    const names: string[] = [];
    for await (const blob of container.listBlobsFlat({ prefix: 'first/' })) names.push(blob.name);
    expect(names.sort()).toEqual((await records(root)).map((r) => blobName(r.uri)).sort());
    const fill = await aibgen(['fill', '--check', '--fetch', join(root, 'dist/template.json')]);
    expect(fill.exitCode, fill.stdout + fill.stderr).toBe(0);
    const again = await aibgen(['publish', root, '--json'], { env: env() });
    expect(again.exitCode).toBe(0);
    expect((JSON.parse(again.stdout) as { artifacts: { status: string }[] }).artifacts.map((a) => a.status)).toEqual(
      (await records(root)).map(() => 'skipped'),
    );
    for (const record of await records(root)) expect((await container.getBlobClient(blobName(record.uri)).getProperties()).etag).toBe(etags.get(record.file));
    neverLeaks(result.stdout, result.stderr, again.stdout, again.stderr);
  });

  it(
    'a blob changed behind its back: exit 1 and left alone; --dry-run says so and touches nothing; --overwrite replaces it',
    { timeout: 120_000 },
    async () => {
      const root = await project('tamper');
      expect((await aibgen(['publish', root], { env: env() })).exitCode).toBe(0);
      const [record] = await records(root);
      const blob = service.getContainerClient('aib').getBlockBlobClient(blobName(record!.uri));
      await blob.uploadData(Buffer.from('tampered\n'));
      const tamperedEtag = (await blob.getProperties()).etag;
      const refused = await aibgen(['publish', root], { env: env() });
      expect(refused.exitCode).toBe(1);
      expect(refused.stdout).toMatch(/conflict/);
      expect(refused.stderr).toMatch(
        /the blob exists with other bytes: it holds 9 bytes, the artifact \d+; its name carries the content hash, so this means tampering or a hash clash; --overwrite replaces it/,
      );
      expect((await blob.getProperties()).etag).toBe(tamperedEtag);
      const dry = await aibgen(['publish', root, '--dry-run', '--overwrite'], { env: env() });
      expect(dry.exitCode).toBe(0);
      expect(dry.stdout).toContain('would replace');
      expect(dry.stderr).toContain('dry run, nothing changed');
      expect((await blob.getProperties()).etag).toBe(tamperedEtag);
      const replaced = await aibgen(['publish', root, '--overwrite', '--verify'], { env: env() });
      expect(replaced.exitCode, replaced.stderr).toBe(0);
      expect(replaced.stdout).toContain('replaced');
      expect(sha(await blob.downloadToBuffer())).toBe(record!.sha256);
    },
  );

  it('--dry-run on a new project lists what would go up and uploads nothing', async () => {
    const root = await project('dry');
    const dry = await aibgen(['publish', root, '--dry-run', '--json'], { env: env() });
    expect(dry.exitCode).toBe(0);
    expect((JSON.parse(dry.stdout) as { artifacts: { status: string }[] }).artifacts.every((a) => a.status === 'would upload')).toBe(true);
    const names: string[] = [];
    for await (const blob of service.getContainerClient('aib').listBlobsFlat({ prefix: 'dry/' })) names.push(blob.name);
    expect(names).toEqual([]);
  });

  it('a missing container and a wrong key give their clear errors, without the key', async () => {
    const root = await makeProject(join(await tempDir(), 'nocontainer'), { baseUri: `${azurite.endpoint}/missing-container/x/` });
    expect((await aibgen(['build', root, '--quiet'])).exitCode).toBe(0);
    const missing = await aibgen(['publish', root], { env: env() });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('container "missing-container" does not exist in storage account devstoreaccount1');
    const wrongKey = `${'A'.repeat(86)}==`;
    const wrong = await aibgen(['publish', await project('wrongkey')], {
      env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString.replace(KEY, wrongKey) },
    });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/not allowed to use .* with the account key of devstoreaccount1 \(AZURE_STORAGE_CONNECTION_STRING\) \(HTTP 403 \w+\)/);
    neverLeaks(missing.stderr, wrong.stdout, wrong.stderr);
    expect(wrong.stderr).not.toContain(wrongKey);
  });

  it('signs in with a SAS from --sas-env, and one without write permission gets its clear error', { timeout: 60_000 }, async () => {
    const { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } = await import('@azure/storage-blob');
    const sas = (permissions: string) =>
      generateBlobSASQueryParameters(
        { containerName: 'aib', permissions: ContainerSASPermissions.parse(permissions), expiresOn: new Date(Date.now() + 3600_000) },
        new StorageSharedKeyCredential('devstoreaccount1', KEY),
      ).toString();
    const root = await project('sas');
    const writable = sas('rcw');
    const ok = await aibgen(['publish', root, '--sas-env', 'PUBLISH_SAS'], { env: { PUBLISH_SAS: writable, AZURE_STORAGE_CONNECTION_STRING: '' } });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('signed in with the SAS in PUBLISH_SAS');
    const readOnly = await aibgen(['publish', await project('sas-readonly')], {
      env: { AZURE_STORAGE_SAS_TOKEN: sas('r'), AZURE_STORAGE_CONNECTION_STRING: '' },
    });
    expect(readOnly.exitCode).toBe(2);
    // Refused before anything is sent: its permissions say it cannot write.
    expect(readOnly.stderr).toContain('its permissions (sp=r) do not allow writing; publishing needs read, create and write (sp=rcw)');
    neverLeaks(ok.stdout, ok.stderr, readOnly.stdout, readOnly.stderr);
    expect(ok.stdout + ok.stderr + readOnly.stderr).not.toContain(new URLSearchParams(writable).get('sig') as string);
  });

  it('a 30 MB artifact goes up in blocks, with its exact bytes', { timeout: 120_000 }, async () => {
    const root = await makeProject(join(await tempDir(), 'big'), {
      baseUri: `${azurite.endpoint}/aib/big/`,
      customize: [{ name: 'blob', payload: 'payload/site', destination: '/srv', delivery: 'download' }],
    });
    await writeFile(join(root, 'payload/site/random.bin'), randomBytes(30 * 1024 * 1024));
    expect((await aibgen(['build', root, '--quiet'])).exitCode).toBe(0);
    const result = await aibgen(['publish', root, '--verify'], { env: env() });
    expect(result.exitCode, result.stderr).toBe(0);
    const [record] = (await records(root)).filter((r) => r.file.endsWith('.tar.gz'));
    const blob = service.getContainerClient('aib').getBlockBlobClient(blobName(record!.uri));
    const blocks = await blob.getBlockList('committed');
    expect(blocks.committedBlocks?.length ?? 0).toBeGreaterThan(5);
    expect(sha(await blob.downloadToBuffer())).toBe(record!.sha256);
  });

  it('refuses to upload an artifact that does not match artifacts.json (a partial or edited file)', async () => {
    const root = await project('stale');
    const [record] = await records(root);
    await writeFile(join(root, record!.file), 'edited\n');
    const result = await aibgen(['publish', root], { env: env() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('has other bytes than artifacts.json lists');
  });
});
