import type { FileResult, Finding } from '../findings/index.js';
import { LineIndex } from '../util/text-position.js';
import { findPwsh, powershell, Scratch, shellcheck, shellSyntax, type EngineInfo } from './engines/index.js';
import { notChecked, offsetFinding } from './finding.js';
import { collect } from './sources.js';
import { textRules } from './text-rules.js';
import type { LintUnit } from './unit.js';
import type { Os } from '../util/os.js';

/** Each engine process is stopped after this long (--engine-timeout). */
export const DEFAULT_ENGINE_TIMEOUT_SECONDS = 60;
/** Larger scripts are not checked (--max-script-size): ShellCheck takes minutes and gigabytes on them. */
export const DEFAULT_MAX_SCRIPT_SIZE = 512 * 1024;

export interface LintOptions {
  /** How to read a script file named without .sh or .ps1. */
  os?: Os;
  /** Stop each engine process after this many seconds (default 60); the scripts it was checking are reported as not checked. */
  engineTimeoutSeconds?: number;
  /** Refuse to check scripts larger than this many bytes (default 512 KiB); they are reported as not checked. */
  maxScriptSize?: number;
}

export interface LintNote {
  file: string;
  message: string;
}

export interface LintReport {
  findings: Finding[];
  /** What could not be checked (a missing ShellCheck or pwsh) and how to fix that, and what was read in a particular way. */
  notes: LintNote[];
  /** The outside programs that ran, with their paths and versions. */
  engines: EngineInfo[];
  /** The report was taken from the lint cache: no engine ran. */
  cached?: boolean;
}

function textOf(unit: LintUnit): string {
  // CR before LF becomes a space: offsets stay, and AIB201 already reports the line endings.
  return unit.bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .replace(/\r(?=\n)/g, ' ');
}

/** The shell rules on each shell unit's syntax tree; overrides a unit writes become units of their own. */
async function shellTrees(units: readonly LintUnit[], findings: Finding[], notes: LintNote[]): Promise<LintUnit[]> {
  const derived: LintUnit[] = [];
  if (units.length === 0) return derived;
  // The bash grammar (WebAssembly) is loaded only when there is shell to parse: not for a build whose lint is cached.
  const [{ analyzeShell }, { LINUX_OVERRIDE_PATH, writtenOverride }, { shellCommandRules }] = await Promise.all([
    import('./shell/commands.js'),
    import('./shell/override.js'),
    import('./shell/rules.js'),
  ]);
  for (const unit of units) {
    const text = textOf(unit);
    let analysis;
    try {
      analysis = await analyzeShell(text);
    } catch (error) {
      findings.push(notChecked(unit, "tree-sitter's bash parser", error instanceof Error ? error.message : String(error)));
      continue;
    }
    const lines = new LineIndex(text);
    shellCommandRules(analysis, { override: unit.override }, (rule, offset, message) => findings.push(offsetFinding(unit, lines, rule, offset, message)));
    for (const runtime of analysis.runtime) {
      const at = lines.position(runtime.start);
      const placed = unit.locate ? unit.locate(at.line, at.column) : at;
      notes.push({ file: unit.file, message: `line ${placed.line}: ${runtime.what} runs text built at run time; aibgen cannot check what it runs` });
    }
    const override = unit.override ? undefined : writtenOverride(unit, text, analysis);
    if (override) {
      const at = lines.position(override.at);
      const placed = unit.locate ? unit.locate(at.line, at.column) : at;
      notes.push({
        file: unit.file,
        message: `line ${placed.line}: the text written to ${LINUX_OVERRIDE_PATH} is checked as the deprovisioning override (it may, and should, generalize the VM)`,
      });
      derived.push(override.unit);
      await shellTrees([override.unit], findings, notes);
    }
  }
  return derived;
}

export interface LintUnitsOptions extends LintOptions {
  /** Where engines' scratch copies go (build: its staging folder). */
  scratch?: string;
  /**
   * Reuse the report of an earlier run on the same bytes (see cache.ts). `context` is a digest of what
   * places the units' findings beyond their own bytes (the template inline units come from).
   */
  cache?: { context: string; env?: NodeJS.ProcessEnv };
}

/** Lints scripts already in memory (build uses this on what it produces): AIB rules, the shells' parsers, ShellCheck, PowerShell's parser. */
export async function lintUnits(given: readonly LintUnit[], options: LintUnitsOptions = {}): Promise<LintReport> {
  if (!options.cache) return lintUncached(given, options);
  const { lintCache, lintCacheKey, cacheable } = await import('./cache.js');
  const cache = lintCache(options.cache.env);
  const key = cache.dir
    ? await lintCacheKey({
        units: given,
        context: options.cache.context,
        options: { timeout: options.engineTimeoutSeconds ?? null, max: options.maxScriptSize ?? null, os: options.os ?? null },
        scratch: options.scratch,
        env: options.cache.env,
      })
    : undefined;
  const stored = key ? await cache.get(key) : undefined;
  if (stored) return { ...stored, cached: true };
  const report = await lintUncached(given, options);
  if (key && cacheable(report)) await cache.set(key, report);
  return report;
}

async function lintUncached(given: readonly LintUnit[], options: LintUnitsOptions): Promise<LintReport> {
  const timeoutMs = (options.engineTimeoutSeconds ?? DEFAULT_ENGINE_TIMEOUT_SECONDS) * 1000;
  const maxSize = options.maxScriptSize ?? DEFAULT_MAX_SCRIPT_SIZE;
  const findings: Finding[] = [];
  const notes: LintNote[] = [];
  const units: LintUnit[] = [];
  for (const unit of given) {
    if (unit.bytes.length > maxSize)
      findings.push(notChecked(unit, 'aibgen', `it is ${unit.bytes.length} bytes, over the limit of ${maxSize} (--max-script-size)`));
    else units.push(unit);
  }
  const astAvailable = units.some((u) => u.language === 'powershell') && findPwsh() !== undefined;
  const derived = await shellTrees(
    units.filter((u) => u.language === 'shell'),
    findings,
    notes,
  );
  const all = [...units, ...derived];
  findings.push(...all.flatMap((u) => textRules(u, astAvailable)));
  const shell = all.filter((u) => u.language === 'shell');
  const ps = all.filter((u) => u.language === 'powershell');
  const scratch = new Scratch(options.scratch);
  try {
    const engines = await Promise.all([shellSyntax(shell, scratch, timeoutMs), shellcheck(shell, scratch, timeoutMs), powershell(ps, scratch, timeoutMs)]);
    for (const engine of engines) findings.push(...engine.findings);
    findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
    // An engine's note (ShellCheck or pwsh missing) goes on the first script of the language it reads.
    const noteFiles = [shell[0]?.file, shell[0]?.file, ps[0]?.file];
    return {
      findings,
      notes: [...notes, ...engines.flatMap((e, i) => e.notes.map((message) => ({ file: noteFiles[i] ?? given[0]?.file ?? '', message })))],
      engines: engines.flatMap((e) => (e.engine ? [e.engine] : [])),
    };
  } finally {
    await scratch.dispose();
  }
}

export interface LintPathsResult {
  results: FileResult[];
  /** Files that could not be read or parsed (the CLI exits 2). */
  failures: { file: string; message: string }[];
  engines: EngineInfo[];
  /** How many files were passed over because .gitignore or .aibignore ignore them. */
  ignored: number;
}

/**
 * `aibgen lint`: script files, folders (recursive, honouring .gitignore and .aibignore) and
 * templates (each Shell/PowerShell inline list as one script), with findings in the shared shape.
 */
export async function lintPaths(paths: readonly string[], options: LintOptions = {}): Promise<LintPathsResult> {
  const collected = await collect(paths, options.os);
  const engines: EngineInfo[] = [];
  const bicepFindings: Finding[] = [];
  if (collected.bicep.length > 0) {
    // Bicep's inline commands are what the compiler evaluates: loaded only when there is Bicep.
    const { CompilerSession, COMPILER_HINT } = await import('../bicep/compiler/index.js');
    const { bicepUnits } = await import('./bicep.js');
    const session = new CompilerSession(process.env, (options.engineTimeoutSeconds ?? DEFAULT_ENGINE_TIMEOUT_SECONDS) * 1000 * 2);
    try {
      if (!session.available) {
        for (const { path, explicit } of collected.bicep) {
          if (explicit)
            collected.failures.push({ file: path, message: `${path}: lint reads Bicep's inline commands through the Bicep compiler: ${COMPILER_HINT}` });
          else collected.notes.push({ file: path, note: `not linted: ${COMPILER_HINT}` });
        }
      } else {
        const found = await bicepUnits(collected.bicep, session);
        bicepFindings.push(...found.findings);
        collected.units.push(...found.units);
        collected.notes.push(...found.notes);
        collected.failures.push(...found.failures);
        for (const { path } of collected.bicep) collected.files.push(path);
        const engine = await session.engine().catch(() => undefined);
        if (engine) engines.push(engine);
      }
    } finally {
      session.dispose();
    }
  }
  const report = await lintUnits(collected.units, options);
  const byFile = new Map<string, FileResult>();
  for (const file of collected.files) byFile.set(file, { file, findings: [], notes: [] });
  const entry = (file: string): FileResult => {
    let found = byFile.get(file);
    if (!found) {
      found = { file, findings: [], notes: [] };
      byFile.set(file, found);
    }
    return found;
  };
  for (const { file, note } of collected.notes) entry(file).notes.push(note);
  for (const note of report.notes) entry(note.file).notes.push(note.message);
  for (const finding of [...bicepFindings, ...report.findings]) entry(finding.file).findings.push(finding);
  return { results: [...byFile.values()], failures: collected.failures, engines: [...report.engines, ...engines], ignored: collected.ignored };
}
