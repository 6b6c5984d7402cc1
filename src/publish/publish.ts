import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { hashFile } from '../checksum/index.js';
import { AibgenError, CheckFailedError, InputError, IoError, ProjectError } from '../errors.js';
import type { ArtifactRecord } from '../project/index.js';
import { loadProject } from '../project/index.js';
import { interruptedBuild } from '../project/workspace.js';
import { mapLimit } from '../util/concurrency.js';
import { redact } from '../util/redact.js';
import { chooseCredentials, sdkCredential, type Credentials } from './credentials.js';
import { contentTypeOf, parseBlobUri, type BlobTarget } from './target.js';

export interface PublishOptions {
  /** Say what would be uploaded, skipped or refused; change nothing. */
  dryRun?: boolean;
  /** Replace blobs that exist with other content (never by default). */
  overwrite?: boolean;
  /** After uploading, download every blob and compare its SHA-256 (length and Content-MD5 are always compared). */
  verify?: boolean;
  /** Uploads at once (default 4). */
  concurrency?: number;
  /** Environment variable holding a SAS (default AZURE_STORAGE_SAS_TOKEN). */
  sasEnv?: string;
  env?: NodeJS.ProcessEnv;
  /** Bytes sent so far, for progress output. */
  onProgress?: (event: { sent: number; total: number }) => void;
}

export type PublishStatus = 'uploaded' | 'replaced' | 'skipped' | 'conflict' | 'would upload' | 'would replace' | 'would skip' | 'would refuse';

export interface PublishedArtifact {
  name: string;
  file: string;
  /** The blob's URL without any query (no SAS). */
  url: string;
  size: number;
  status: PublishStatus;
  reason?: string;
}

export interface PublishResult {
  credentials: string;
  artifacts: PublishedArtifact[];
  conflicts: number;
}

const BLOCK_SIZE = 4 * 1024 * 1024;

async function md5Of(path: string): Promise<Buffer> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest();
}

/** A storage error as a sentence that names the blob and the fix (403: the role; 404: the container). */
function storageError(error: unknown, target: BlobTarget, credentials: Credentials): AibgenError {
  const e = error as { statusCode?: number; code?: string; message?: string };
  const where = `${target.serviceUrl}/${target.container}/${target.blob}`;
  if (e.code === 'ContainerNotFound') {
    return new ProjectError(`container "${target.container}" does not exist in storage account ${target.account}`, [
      `create it first: az storage container create --account-name ${target.account} --name ${target.container} --auth-mode login`,
    ]);
  }
  if (e.statusCode === 403) {
    const fix =
      credentials.kind === 'token'
        ? `the signed-in identity needs the Storage Blob Data Contributor role on account ${target.account} (or container ${target.container})`
        : credentials.kind === 'sas'
          ? 'the SAS must allow create and write (sp=cw or more), be unexpired, and be for this account'
          : 'check the account key in AZURE_STORAGE_CONNECTION_STRING';
    return new ProjectError(`not allowed to write ${where} with ${credentials.describe} (HTTP 403 ${e.code ?? ''})`.trim(), [fix], error);
  }
  const message = redact(e.message ?? String(error)).split('\n')[0] ?? '';
  return new IoError(`cannot publish ${where}: ${message}${e.code ? ` (${e.code})` : ''}`, error, [
    'the upload was retried with backoff; check the network and the storage account, then run aibgen publish again',
  ]);
}

/**
 * `aibgen publish`: uploads exactly the artifacts artifacts.json lists, each to its URI, checked
 * against its recorded SHA-256 first. A blob that already holds the same content is skipped; one
 * that holds other content is a conflict (exit 1) unless `overwrite`. Each upload is verified by
 * length and Content-MD5 (and, with `verify`, by downloading it and comparing its SHA-256).
 */
export async function publish(dir: string, options: PublishOptions = {}): Promise<PublishResult> {
  const project = await loadProject(dir);
  let records: ArtifactRecord[];
  try {
    records = JSON.parse(await readFile(project.siblings.artifactsJson, 'utf8')) as ArtifactRecord[];
  } catch (error) {
    throw new InputError(`cannot read ${project.siblings.artifactsJson}: run aibgen build first`, { cause: error });
  }
  if (await interruptedBuild(dirname(project.output.path))) {
    throw new ProjectError(`an interrupted build left ${dirname(project.output.path)} half-updated; run aibgen build before publishing`);
  }
  // Never upload what the build did not make: every file must still hash to what artifacts.json says.
  for (const record of records) {
    const digest = await hashFile(join(project.dir, record.file)).catch((error: unknown) => {
      throw new InputError(`${record.file}: listed in artifacts.json but cannot be read; run aibgen build`, { cause: error });
    });
    if (digest.sha256 !== record.sha256) {
      throw new CheckFailedError(
        `${record.file} does not match artifacts.json (sha256 ${digest.sha256.slice(0, 12)}, recorded ${record.sha256.slice(0, 12)}); run aibgen build, then publish`,
      );
    }
  }
  const credentials = chooseCredentials(options.env ?? process.env, options.sasEnv);
  const { BlobServiceClient } = await import('@azure/storage-blob');
  const services = new Map<string, BlobServiceClient>();
  const containerOf = async (target: BlobTarget): Promise<ContainerClient> => {
    let service = services.get(target.serviceUrl);
    if (!service) {
      const { url, credential } = await sdkCredential(credentials, target.account);
      service = new BlobServiceClient(url(target.serviceUrl), credential, { retryOptions: { maxTries: 4, retryDelayInMs: 500, maxRetryDelayInMs: 8000 } });
      services.set(target.serviceUrl, service);
    }
    return service.getContainerClient(target.container);
  };
  const total = records.reduce((sum, r) => sum + r.size, 0);
  const progress = new Map<string, number>();
  const report = () => options.onProgress?.({ sent: [...progress.values()].reduce((a, b) => a + b, 0), total });

  const artifacts = await mapLimit(records, options.concurrency ?? 4, async (record): Promise<PublishedArtifact> => {
    const target = parseBlobUri(record.uri);
    const path = join(project.dir, record.file);
    const blob = (await containerOf(target)).getBlockBlobClient(target.blob);
    const base = { name: record.name, file: record.file, url: `${target.serviceUrl}/${target.container}/${target.blob}`, size: record.size };
    try {
      const md5 = await md5Of(path);
      const existing = await blob.getProperties().catch((error: { statusCode?: number }) => {
        if (error.statusCode === 404) return undefined;
        throw error;
      });
      let replacing = false;
      if (existing) {
        const same =
          existing.metadata?.sha256 === record.sha256 ||
          (existing.contentLength === record.size && existing.contentMD5 !== undefined && Buffer.from(existing.contentMD5).equals(md5));
        if (same) {
          progress.set(record.file, record.size);
          report();
          return { ...base, status: options.dryRun ? 'would skip' : 'skipped' };
        }
        const why = `the blob exists with other content (${existing.contentLength ?? '?'} bytes)${/\.[0-9a-f]{12}\./.test(target.blob) ? '; its name carries the content hash, so this means tampering or a hash clash' : ''}`;
        if (!options.overwrite) return { ...base, status: options.dryRun ? 'would refuse' : 'conflict', reason: `${why}; --overwrite replaces it` };
        replacing = true;
      }
      if (options.dryRun) return { ...base, status: replacing ? 'would replace' : 'would upload' };
      await blob.uploadFile(path, {
        // Large files go up in 4 MiB blocks, four at a time (the SDK's own default sends up to 256 MB in one request).
        maxSingleShotSize: BLOCK_SIZE,
        blockSize: BLOCK_SIZE,
        concurrency: 4,
        blobHTTPHeaders: { blobContentType: contentTypeOf(target.blob), blobContentMD5: md5 },
        metadata: { sha256: record.sha256 },
        // Not over a blob someone else wrote meanwhile, unless replacing on purpose.
        conditions: replacing ? {} : { ifNoneMatch: '*' },
        onProgress: (event) => {
          progress.set(record.file, event.loadedBytes);
          report();
        },
      });
      const uploaded = await blob.getProperties();
      if (uploaded.contentLength !== record.size || !uploaded.contentMD5 || !Buffer.from(uploaded.contentMD5).equals(md5)) {
        throw new IoError(`${base.url}: after upload the blob has ${uploaded.contentLength ?? '?'} bytes and another Content-MD5 than ${record.file}`);
      }
      if (options.verify) {
        const bytes = await blob.downloadToBuffer();
        const sha = createHash('sha256').update(bytes).digest('hex');
        if (sha !== record.sha256) throw new IoError(`${base.url}: downloaded again, its SHA-256 is ${sha}, not ${record.sha256}`);
      }
      return { ...base, status: replacing ? 'replaced' : 'uploaded' };
    } catch (error) {
      if (error instanceof AibgenError) throw error;
      throw storageError(error, target, credentials);
    }
  });
  return { credentials: credentials.describe, artifacts, conflicts: artifacts.filter((a) => a.status === 'conflict' || a.status === 'would refuse').length };
}
