import { execa, type Options } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
/**
 * The corpus of real templates: ../shared/corpus when this checkout sits next to it (the source of
 * truth), else the byte-exact snapshot committed under test/corpus/snapshot (a fresh CI machine).
 */
export const SHARED_CORPUS = resolve(ROOT, '..', 'shared', 'corpus');
export const SNAPSHOT_CORPUS = join(ROOT, 'test', 'corpus', 'snapshot');
export const CORPUS = process.env.AIBGEN_CORPUS ?? (existsSync(join(SHARED_CORPUS, 'INDEX.md')) ? SHARED_CORPUS : SNAPSHOT_CORPUS);

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI the way a user does: a separate node process, real files. */
export async function aibgen(args: readonly string[], options: Options = {}): Promise<CliResult> {
  const result = await execa('node', [CLI, ...args], { reject: false, stripFinalNewline: false, ...options, env: { NO_COLOR: '1', ...options.env } });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export async function run(file: string, args: readonly string[], options: Options = {}): Promise<CliResult> {
  const result = await execa(file, args, { reject: false, stripFinalNewline: false, ...options });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** A temp folder removed after the test file finishes. */
export async function tempDir(prefix = 'aibgen-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
