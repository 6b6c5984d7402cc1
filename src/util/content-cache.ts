import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

/**
 * A folder of JSON results keyed by a digest of everything that decides them ($XDG_CACHE_HOME/aibgen/<kind>,
 * else ~/.cache/aibgen/<kind>). An entry that cannot be read, or is not of the expected shape, is a
 * miss; one that cannot be written costs time on the next run, nothing else. Setting
 * AIBGEN_CACHE=0 (or the kind's own AIBGEN_<KIND>_CACHE=0) turns it off.
 */
/** aibgen's cache folder for one kind of result, or undefined when AIBGEN_CACHE=0 or AIBGEN_<KIND>_CACHE=0 turns it off. */
export function cacheFolder(kind: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const off = env.AIBGEN_CACHE === '0' || env[`AIBGEN_${kind.toUpperCase()}_CACHE`] === '0';
  return off ? undefined : join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'aibgen', kind);
}

export class ContentCache<T> {
  readonly dir: string | undefined;

  constructor(
    kind: string,
    private readonly isValid: (value: unknown) => value is T,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.dir = cacheFolder(kind, env);
  }

  async get(key: string): Promise<T | undefined> {
    if (!this.dir) return undefined;
    try {
      const value = JSON.parse(await readFile(join(this.dir, `${key}.json`), 'utf8')) as unknown;
      return this.isValid(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: T): Promise<void> {
    if (!this.dir) return;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFileAtomic(join(this.dir, `${key}.json`), JSON.stringify(value));
    } catch {
      // Best effort: see above.
    }
  }
}
