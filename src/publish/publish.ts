import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { BlobServiceClient, BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { AibgenError, ProjectError } from '../errors.js';
import { interruptedBuild, loadProject, readArtifactsFile } from '../project/index.js';
import { mapLimit } from '../util/concurrency.js';
import { chooseCredentials, sdkCredential, type Credentials } from './credentials.js';
import { checkRecords, type CheckedRecord } from './records.js';
import { errorCodeOf, storageError } from './storage-errors.js';
import { contentTypeOf, parseBlobUri, type BlobTarget } from './target.js';

export interface PublishOptions {
  /** Say what would be uploaded, skipped or refused; change nothing. The container and the credentials are still checked. */
  dryRun?: boolean;
  /** Replace blobs that exist with other content (never by default). */
  overwrite?: boolean;
  /** Download every uploaded or skipped blob and compare its SHA-256 (length and Content-MD5 are always compared). */
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
  /** What a dry run could not know (a SAS's or a role's write permission is only proven by writing). */
  notes: string[];
}

const BLOCK_SIZE = 4 * 1024 * 1024;

async function md5Of(path: string): Promise<Buffer> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest();
}

async function sha256OfBlob(blob: BlockBlobClient): Promise<string> {
  const response = await blob.download();
  const hash = createHash('sha256');
  for await (const chunk of response.readableStreamBody ?? []) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Whether a blob holds exactly the artifact's bytes: length and Content-MD5 always; with `verify`, or when there is no MD5 to compare, its SHA-256 downloaded. */
async function sameBytes(
  blob: BlockBlobClient,
  existing: { contentLength?: number; contentMD5?: Uint8Array },
  record: CheckedRecord['record'],
  md5: Buffer,
  verify: boolean,
): Promise<{ same: boolean; why?: string }> {
  if (existing.contentLength !== record.size) return { same: false, why: `it holds ${existing.contentLength ?? '?'} bytes, the artifact ${record.size}` };
  if (existing.contentMD5 !== undefined && !Buffer.from(existing.contentMD5).equals(md5))
    return { same: false, why: 'its Content-MD5 differs from the artifact' };
  if (existing.contentMD5 === undefined && !verify)
    return { same: false, why: 'it has the same length but no Content-MD5, so its bytes cannot be proven the same without downloading it (--verify does)' };
  if (verify || existing.contentMD5 === undefined) {
    const sha = await sha256OfBlob(blob);
    if (sha !== record.sha256) return { same: false, why: `downloaded, its SHA-256 is ${sha.slice(0, 12)}, not ${record.sha256.slice(0, 12)}` };
  }
  return { same: true };
}

const isStatus = (error: unknown, ...codes: number[]) => codes.includes((error as { statusCode?: number }).statusCode ?? 0);

/**
 * `aibgen publish`: uploads exactly the artifacts artifacts.json lists, each to its URI, after
 * proving every record is what build made (checkRecords). A blob that already holds the same bytes
 * is skipped; one that holds other bytes is a conflict (exit 1) unless `overwrite`. Each upload is
 * verified by length and Content-MD5 (and, with `verify`, by downloading it and comparing its SHA-256).
 */
export async function publish(dir: string, options: PublishOptions = {}): Promise<PublishResult> {
  const project = await loadProject(dir);
  const shown = relative(process.cwd(), project.siblings.artifactsJson) || project.siblings.artifactsJson;
  const records = await readArtifactsFile(project.siblings.artifactsJson, shown);
  if (await interruptedBuild(dirname(project.output.path))) {
    throw new ProjectError(`an interrupted build left ${dirname(project.output.path)} half-updated; run aibgen build before publishing`);
  }
  // Never upload what the build did not make, nor anywhere but where build said.
  const checked = await checkRecords(project, records, shown);
  const credentials = chooseCredentials(options.env ?? process.env, options.sasEnv);
  const { BlobServiceClient } = await import('@azure/storage-blob');
  const services = new Map<string, BlobServiceClient>();
  const containers = new Map<string, Promise<ContainerClient>>();
  const notes: string[] = [];
  // Each container is checked once, before anything is uploaded to it, in a dry run too.
  const containerOf = (target: BlobTarget): Promise<ContainerClient> => {
    const key = `${target.serviceUrl}/${target.container}`;
    let found = containers.get(key);
    if (!found) {
      found = (async () => {
        let service = services.get(target.serviceUrl);
        if (!service) {
          const { url, credential } = await sdkCredential(credentials, target, options.env ?? process.env);
          service = new BlobServiceClient(url(target.serviceUrl), credential, { retryOptions: { maxTries: 4, retryDelayInMs: 500, maxRetryDelayInMs: 8000 } });
          services.set(target.serviceUrl, service);
        }
        const container = service.getContainerClient(target.container);
        // A blob's HEAD tells whether the container exists (x-ms-error-code ContainerNotFound or
        // BlobNotFound) with the permissions publishing needs anyway; the container's own properties
        // would need more than a container SAS gives.
        try {
          await container.getBlockBlobClient(target.blob).getProperties();
        } catch (error) {
          if (!(isStatus(error, 404) && errorCodeOf(error) !== 'ContainerNotFound')) throw storageError(error, target, credentials, 'container');
        }
        return container;
      })();
      containers.set(key, found);
    }
    return found;
  };
  const targets = checked.map((c) => parseBlobUri(c.record.uri));
  for (const target of targets) await containerOf(target);
  if (options.dryRun && credentials.kind === 'token')
    notes.push('a dry run cannot prove write access for a signed-in identity: uploading needs the Storage Blob Data Contributor role');

  const total = checked.reduce((sum, c) => sum + c.record.size, 0);
  const progress = new Map<string, number>();
  const report = () => options.onProgress?.({ sent: [...progress.values()].reduce((a, b) => a + b, 0), total });

  const artifacts = await mapLimit(checked, options.concurrency ?? 4, async ({ record, path }, index): Promise<PublishedArtifact> => {
    const target = targets[index] as BlobTarget;
    const blob = (await containerOf(target)).getBlockBlobClient(target.blob);
    const base = { name: record.name, file: record.file, url: `${target.serviceUrl}/${target.container}/${target.blob}`, size: record.size };
    try {
      const md5 = await md5Of(path);
      const existing = await blob.getProperties().catch((error: unknown) => {
        if (isStatus(error, 404)) return undefined;
        throw error;
      });
      let replacing = false;
      if (existing) {
        const compared = await sameBytes(blob, existing, record, md5, options.verify ?? false);
        if (compared.same) {
          progress.set(record.file, record.size);
          report();
          return { ...base, status: options.dryRun ? 'would skip' : 'skipped' };
        }
        const why = `the blob exists with other bytes: ${compared.why ?? ''}${/\.[0-9a-f]{12}\./.test(target.blob) ? '; its name carries the content hash, so this means tampering or a hash clash' : ''}`;
        if (!options.overwrite) return { ...base, status: options.dryRun ? 'would refuse' : 'conflict', reason: `${why}; --overwrite replaces it` };
        replacing = true;
      }
      if (options.dryRun) return { ...base, status: replacing ? 'would replace' : 'would upload' };
      try {
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
      } catch (error) {
        // Another publish wrote this blob between our look and our upload: the same bytes are fine, others are a conflict.
        if (!replacing && isStatus(error, 409, 412)) {
          const now = await blob.getProperties();
          const compared = await sameBytes(blob, now, record, md5, true);
          if (compared.same) return { ...base, status: 'skipped', reason: 'another publish uploaded the same bytes meanwhile' };
          return {
            ...base,
            status: 'conflict',
            reason: `another publish wrote other bytes to this blob meanwhile: ${compared.why ?? ''}; --overwrite replaces it`,
          };
        }
        throw error;
      }
      const uploaded = await blob.getProperties();
      if (uploaded.contentLength !== record.size || !uploaded.contentMD5 || !Buffer.from(uploaded.contentMD5).equals(md5)) {
        throw new ProjectError(`${base.url}: after upload the blob has ${uploaded.contentLength ?? '?'} bytes and another Content-MD5 than ${record.file}`);
      }
      if (options.verify) {
        const sha = await sha256OfBlob(blob);
        if (sha !== record.sha256) throw new ProjectError(`${base.url}: downloaded again, its SHA-256 is ${sha}, not ${record.sha256}`);
      }
      return { ...base, status: replacing ? 'replaced' : 'uploaded' };
    } catch (error) {
      if (error instanceof AibgenError) throw error;
      throw storageError(error, target, credentials, 'blob');
    }
  });
  return {
    credentials: credentials.describe,
    artifacts,
    conflicts: artifacts.filter((a) => a.status === 'conflict' || a.status === 'would refuse').length,
    notes,
  };
}

export type { Credentials };
