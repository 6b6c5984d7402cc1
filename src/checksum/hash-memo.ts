import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ContentCache } from '../util/content-cache.js';
import { sha256Hex } from '../util/sha256.js';
import { hashFile, type FileDigest } from './hash-file.js';

/**
 * SHA-256 of files remembered by their identity, as git's index does: a file whose device, inode,
 * size, modification and change times (nanoseconds) are what they were when it was hashed is not
 * read again. The change time cannot be set back by a user (any write, chmod or touch moves it),
 * so a file edited since, even with its mtime restored, is hashed again. A file changed within
 * RACY_MS of being hashed is never remembered (a coarse file system clock could hide a second edit),
 * nor one that changed while it was read. One table per scope (a payload folder, the artifacts
 * folder) in aibgen's cache; AIBGEN_CACHE=0 or AIBGEN_HASHES_CACHE=0 hashes everything.
 */

const RACY_MS = 2000n;

type Row = [identity: string, sha256: string];
interface Table {
  rows: Row[];
}

const isTable = (value: unknown): value is Table =>
  typeof value === 'object' &&
  value !== null &&
  Array.isArray((value as Table).rows) &&
  (value as Table).rows.every((r) => Array.isArray(r) && typeof r[0] === 'string' && typeof r[1] === 'string' && /^[0-9a-f]{64}$/.test(r[1]));

interface Identity {
  key: string;
  size: number;
  changedMs: bigint;
}

async function identityOf(path: string): Promise<Identity> {
  const info = await stat(path, { bigint: true });
  const changedNs = info.mtimeNs > info.ctimeNs ? info.mtimeNs : info.ctimeNs;
  return {
    key: [path, info.dev, info.ino, info.size, info.mtimeNs, info.ctimeNs, info.mode].join('\u0000'),
    size: Number(info.size),
    changedMs: changedNs / 1_000_000n,
  };
}

export class HashMemo {
  private readonly cache: ContentCache<Table>;
  private readonly cacheKey: string;
  private known: Promise<Map<string, string>> | undefined;
  private readonly used = new Map<string, string>();
  /** How many files were read, and how many were known (for tests and --verbose). */
  readonly counts = { hashed: 0, remembered: 0 };

  constructor(scope: string, env: NodeJS.ProcessEnv = process.env) {
    this.cache = new ContentCache('hashes', isTable, env);
    this.cacheKey = sha256Hex(Buffer.from(`hash-memo-v1\u0000${resolve(scope)}`));
  }

  private load(): Promise<Map<string, string>> {
    this.known ??= this.cache.get(this.cacheKey).then((table) => new Map(table?.rows ?? []));
    return this.known;
  }

  async hash(file: string | Buffer): Promise<FileDigest> {
    // A name that is not UTF-8 (a Buffer) is hashed every time: such names are rare and would not key a table well.
    if (!this.cache.dir || typeof file !== 'string') {
      this.counts.hashed++;
      return hashFile(file);
    }
    const known = await this.load();
    const path = resolve(file);
    const before = await identityOf(path);
    const remembered = known.get(before.key);
    if (remembered) {
      this.counts.remembered++;
      this.used.set(before.key, remembered);
      return { sha256: remembered, size: before.size };
    }
    const digest = await hashFile(path);
    this.counts.hashed++;
    const after = await identityOf(path);
    if (after.key === before.key && BigInt(Date.now()) - after.changedMs > RACY_MS) this.used.set(after.key, digest.sha256);
    return digest;
  }

  /** Keeps what this run hashed or used (files no longer there drop out). */
  async save(): Promise<void> {
    if (!this.cache.dir || this.used.size === 0) return;
    const known = await this.load();
    const unchanged = this.used.size === known.size && [...this.used].every(([k, v]) => known.get(k) === v);
    if (!unchanged) await this.cache.set(this.cacheKey, { rows: [...this.used] });
  }
}
