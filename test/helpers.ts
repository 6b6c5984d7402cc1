import { spawnSync } from 'node:child_process';
import { execa, type Options } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, it } from 'vitest';
import { findPwsh } from '../src/lint/index.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
/**
 * The corpus of real templates: the byte-exact copy committed under test/corpus/snapshot, so every
 * machine tests the same files (scripts/refresh-corpus.sh copies it anew from ../shared/corpus).
 * AIBGEN_CORPUS points the corpus tests at another folder of the same layout.
 */
export const SNAPSHOT_CORPUS = join(ROOT, 'test', 'corpus', 'snapshot');
export const CORPUS = process.env.AIBGEN_CORPUS ?? SNAPSHOT_CORPUS;

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

const created: string[] = [];
// One hook for the whole test file: folders made inside tests (where a hook cannot be added) are removed too.
afterAll(async () => {
  for (const dir of created.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A temp folder removed after the test file finishes. */
export async function tempDir(prefix = 'aibgen-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const toolCache = new Map<string, boolean>();

/** Whether a program runs here (`<tool> --version` exits 0). */
export function hasTool(tool: string, versionArgs: readonly string[] = ['--version']): boolean {
  let known = toolCache.get(tool);
  if (known === undefined) {
    // pwsh is found where aibgen finds it: on PATH or where `dotnet tool install --global` puts it.
    const program = tool === 'pwsh' ? (findPwsh() ?? 'pwsh') : tool;
    known = spawnSync(program, tool === 'pwsh' ? ['-NoProfile', '-Command', 'exit 0'] : [...versionArgs], { stdio: 'ignore' }).status === 0;
    toolCache.set(tool, known);
  }
  return known;
}

/**
 * `it` for tests that need an external program (ShellCheck, pwsh). Missing, the tests are skipped
 * with a visible reason; under CI=true a missing program is a failing test instead: CI installs
 * everything the tests need, so a silent pass there would be a lie.
 */
export function itWith(tool: string, versionArgs?: readonly string[]): typeof it {
  if (hasTool(tool, versionArgs)) return it;
  if (process.env.CI === 'true') {
    it(`${tool} is installed (required under CI=true)`, () => {
      throw new Error(`${tool} is not on PATH; .ci/run installs it`);
    });
  } else {
    console.warn(`skipping the tests that need ${tool}: it is not on PATH`);
  }
  return it.skipIf(true) as typeof it;
}

/** Whether to run the ShellCheck part of a test: when it is installed, and always under CI (where missing means failing). */
export function checkWithShellcheck(): boolean {
  if (hasTool('shellcheck') || process.env.CI === 'true') return true;
  console.warn('skipping a ShellCheck assertion: shellcheck is not on PATH');
  return false;
}
