import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EngineInfo } from '../../lint/index.js';
import { ContentCache } from '../../util/content-cache.js';
import { evaluationKey, isStored, storedOf, type Stored } from './cache.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { bicepSources } from './files.js';
import { findBicep } from './find.js';
import { BicepCompiler } from './rpc.js';

/**
 * One Bicep compiler for a whole run (validate, fill and lint of many files start it once), found
 * where findBicep says; undefined when it is not installed.
 */
export class CompilerSession {
  private compiler: BicepCompiler | undefined;
  private cachedVersion: string | undefined;
  readonly location: { path: string; via: string } | undefined;
  private readonly cache: ContentCache<Stored>;
  /** How many evaluations came from the cache, and how many from the compiler (for --verbose). */
  readonly counts = { cached: 0, compiled: 0 };

  constructor(
    env: NodeJS.ProcessEnv = process.env,
    private readonly timeoutMs?: number,
  ) {
    this.location = findBicep(env);
    this.cache = new ContentCache('bicep', isStored, env);
  }

  /** The deployment of a .bicep or .bicepparam, evaluated by the compiler, or taken from the cache when no byte it reads changed. */
  async evaluate(entry: string, params: Record<string, unknown> = {}): Promise<Evaluation> {
    const sources = await bicepSources(entry);
    const key = this.cache.dir ? await evaluationKey(this.identity(), entry, params, sources) : undefined;
    if (key) {
      const cached = await this.cache.get(key);
      if (cached) {
        this.counts.cached++;
        this.cachedVersion ??= cached.version;
        const { version: _version, ...rest } = cached;
        return { entry: resolve(entry), sources, ...rest };
      }
    }
    const compiler = this.get();
    const evaluation = await evaluate(compiler, entry, { params });
    this.counts.compiled++;
    if (key) await this.cache.set(key, storedOf(evaluation, await compiler.version()));
    return evaluation;
  }

  get available(): boolean {
    return this.location !== undefined;
  }

  get(): BicepCompiler {
    if (!this.location) throw new Error('no Bicep compiler');
    this.compiler ??= new BicepCompiler(this.location.path, this.timeoutMs);
    return this.compiler;
  }

  /** What identifies this compiler's answers for caching: its path, size and modification time (no start needed). */
  identity(): string {
    if (!this.location) return 'none';
    const info = statSync(this.location.path);
    return `${this.location.path}:${info.size}:${info.mtimeMs}`;
  }

  async engine(): Promise<EngineInfo | undefined> {
    if (!this.location) return undefined;
    const version = this.compiler || !this.cachedVersion ? await this.get().version() : this.cachedVersion;
    return { name: 'bicep', path: this.location.path, version };
  }

  dispose(): void {
    this.compiler?.dispose();
  }
}

/** Why the compiler would help, for runs without it. */
export const COMPILER_HINT =
  'the Bicep compiler is not installed: install the Bicep CLI (bicep on PATH, or AIBGEN_BICEP=<path>) or run az bicep install, and aibgen evaluates the deployment as Azure would';
