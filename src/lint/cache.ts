import { createHash } from 'node:crypto';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContentCache } from '../util/content-cache.js';
import { onPath } from '../util/find-program.js';
import { templatesDir, vendorDir } from '../util/package-paths.js';
import { findBash, findPwsh, findShellcheck } from './engines/index.js';
import type { LintReport } from './lint.js';
import type { LintUnit } from './unit.js';

/**
 * Lint reports cached by content, so an unchanged build does not start ShellCheck, bash and pwsh again
 * (their start-up is most of an unchanged build's time). The key hashes every byte that decides a
 * report: each unit's bytes and how it is read, the caller's context (the template inline units are
 * placed in), the options, aibgen's own lint code and analyzers, each engine's identity (its
 * resolved path, size and modification time: a program upgraded in place changes them) and ShellCheck's
 * configuration (rc files, SHELLCHECK_OPTS). A report with
 * a script that could not be checked (AIB216) is never stored: the next run tries again.
 */

const FORMAT = 1;
/**
 * The folder of this module's code: src/lint/ under the tests, tsc's dist/lint/ for the library, and
 * the CLI bundle's dist/cli-chunks/ (all of the command line's code, so any change to it is a new key).
 */
const LINT_CODE = dirname(fileURLToPath(import.meta.url));

/** The code files under `dir` (source maps and declarations decide nothing). */
async function codeFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(?:js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

let codeDigest: Promise<string> | undefined;

/** aibgen's lint modules, the PowerShell analyzer and the bash grammar: a rule changed is a new key. */
function lintCodeDigest(): Promise<string> {
  codeDigest ??= (async () => {
    const hash = createHash('sha256');
    const files = [...(await codeFilesUnder(LINT_CODE)), join(templatesDir(), 'lint', 'analyze.ps1'), vendorDir('tree-sitter-bash', 'tree-sitter-bash.wasm')];
    for (const file of files) hash.update(file.slice(file.lastIndexOf('/lint/') + 1)).update(await readFile(file).catch(() => Buffer.from('missing')));
    return hash.digest('hex');
  })();
  return codeDigest;
}

async function programIdentity(path: string | undefined): Promise<string> {
  if (!path) return 'none';
  try {
    const real = await realpath(path);
    const info = await stat(real);
    return `${real}:${info.size}:${info.mtimeMs}`;
  } catch {
    return `${path}:unreadable`;
  }
}

/**
 * What configures ShellCheck besides its arguments: SHELLCHECK_OPTS, and the rc files it reads for a
 * script in `dir` (.shellcheckrc or shellcheckrc there and in every folder above, then ~/.shellcheckrc and
 * $XDG_CONFIG_HOME/shellcheckrc). A project's .shellcheckrc applies to build's scratch copies under dist/.
 */
async function shellcheckConfig(dir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const files: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    files.push(join(at, '.shellcheckrc'), join(at, 'shellcheckrc'));
    if (dirname(at) === at) break;
  }
  files.push(join(homedir(), '.shellcheckrc'), join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'shellcheckrc'));
  const found = await Promise.all(files.map(async (file) => `${file}:${await readFile(file, 'utf8').catch(() => '')}`));
  return [`SHELLCHECK_OPTS=${env.SHELLCHECK_OPTS ?? ''}`, ...found.filter((f) => !f.endsWith(':'))];
}

export interface LintCacheInput {
  units: readonly LintUnit[];
  /** What else decides the findings' places: for inline units, a digest of the template they come from. */
  context: string;
  options: Record<string, unknown>;
  /** Where the engines' scratch copies go: ShellCheck reads rc files from there upwards. */
  scratch?: string;
  env?: NodeJS.ProcessEnv;
}

export async function lintCacheKey(input: LintCacheInput): Promise<string> {
  const engines = await Promise.all([findBash(), onPath('sh'), findShellcheck(), findPwsh()].map(programIdentity));
  const units = input.units.map((u) => [
    u.file,
    u.language,
    u.shell,
    u.kind,
    u.override,
    u.label ?? '',
    u.hasExpressions ?? false,
    createHash('sha256').update(u.bytes).digest('hex'),
  ]);
  return createHash('sha256')
    .update(
      JSON.stringify({
        format: FORMAT,
        code: await lintCodeDigest(),
        engines,
        shellcheck: await shellcheckConfig(input.scratch ?? tmpdir(), input.env ?? process.env),
        context: input.context,
        options: input.options,
        units,
      }),
    )
    .digest('hex');
}

function isReport(value: unknown): value is LintReport {
  const v = value as Partial<LintReport> | null;
  return !!v && Array.isArray(v.findings) && Array.isArray(v.notes) && Array.isArray(v.engines);
}

export function lintCache(env: NodeJS.ProcessEnv = process.env): ContentCache<LintReport> {
  return new ContentCache('lint', isReport, env);
}

/** Whether a report may be reused: every script was checked. */
export function cacheable(report: LintReport): boolean {
  return !report.findings.some((f) => f.rule === 'AIB216');
}
