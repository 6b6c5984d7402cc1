import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { sweepDeadTempDirs } from '../util/process.js';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Finding } from '../findings/index.js';
import { templatesDir } from '../deprovision/index.js';
import { redact } from '../util/redact.js';
import { lintRuleName } from './rules.js';
import type { LintUnit } from './unit.js';

/**
 * The outside checkers, each run once for all scripts (processes start slowly, PowerShell above
 * all): the shells' own parsers, ShellCheck, and PowerShell's parser with an AST walk. Programs run
 * through execa, loaded only when a lint runs.
 */

export interface EngineResult {
  findings: Finding[];
  /** What could not be checked, and how to fix that. */
  notes: string[];
}

function onPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, program))) return join(dir, program);
  }
  return undefined;
}

/** pwsh on PATH, or where `dotnet tool install --global PowerShell` puts it. */
export function findPwsh(): string | undefined {
  const fromEnv = process.env.AIBGEN_PWSH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return onPath('pwsh') ?? (existsSync(join(homedir(), '.dotnet/tools/pwsh')) ? join(homedir(), '.dotnet/tools/pwsh') : undefined);
}

export function findShellcheck(): string | undefined {
  return onPath('shellcheck');
}

/** Gives every unit a path on disk (inline commands and rendered scripts get scratch copies). */
export class Scratch {
  private dir: Promise<string> | undefined;
  private readonly paths = new Map<LintUnit, Promise<string>>();

  /** `base`: where scratch copies go (a build passes its staging folder); default $TMPDIR, named by pid so leftovers of killed runs can be swept. */
  constructor(private readonly base?: string) {}

  /** The engines ask at the same time: the folder and each copy are made once (promises, not flags). */
  pathOf(unit: LintUnit): Promise<string> {
    if (unit.path) return Promise.resolve(unit.path);
    let path = this.paths.get(unit);
    if (!path) {
      this.dir ??= (async () => {
        if (!this.base) await sweepDeadTempDirs('aibgen-lint-');
        return mkdtemp(join(this.base ?? tmpdir(), `aibgen-lint-${process.pid}-`));
      })();
      const index = this.paths.size;
      path = this.dir.then(async (dir) => {
        const file = join(dir, `${index}.${unit.language === 'shell' ? 'sh' : 'ps1'}`);
        await writeFile(file, unit.bytes);
        return file;
      });
      this.paths.set(unit, path);
    }
    return path;
  }

  async dispose(): Promise<void> {
    if (this.dir) await rm(await this.dir, { recursive: true, force: true });
  }
}

function place(unit: LintUnit, line: number, column: number): { line: number; column: number; pointer?: string } {
  return unit.locate ? unit.locate(line, column) : { line, column };
}

function finding(unit: LintUnit, rule: string, ruleName: string, severity: Finding['severity'], line: number, column: number, message: string): Finding {
  const at = place(unit, line, column);
  return {
    rule,
    ruleName,
    severity,
    message: redact(unit.label ? `${unit.label}: ${message}` : message),
    file: unit.file,
    line: at.line,
    column: at.column,
    ...(at.pointer !== undefined ? { pointer: at.pointer } : {}),
  };
}

/** bash -n or sh -n on every shell unit, in one shell process. */
export async function shellSyntax(units: readonly LintUnit[], scratch: Scratch): Promise<EngineResult> {
  const checked = units.filter((u) => u.shell !== 'other');
  if (checked.length === 0) return { findings: [], notes: [] };
  const { execa } = await import('execa');
  const args: string[] = [];
  for (const unit of checked) args.push(unit.shell, await scratch.pathOf(unit));
  const loop = 'while [ "$#" -gt 0 ]; do printf "\\036%s\\n" "$2"; "$1" -n "$2" 2>&1; shift 2; done';
  const result = await execa('bash', ['-c', loop, 'aibgen-lint', ...args], { reject: false, stripFinalNewline: false });
  const findings: Finding[] = [];
  const blocks = String(result.stdout).split('\u001e').slice(1);
  blocks.forEach((block, index) => {
    const unit = checked[index] as LintUnit;
    const [, ...lines] = block.split('\n');
    const seen = new Set<number>();
    for (const line of lines) {
      // bash: "<file>: line 3: syntax error near ..."; dash: "<file>: 3: Syntax error: ..."
      const match = /: (?:line )?(\d+): (.*)$/.exec(line);
      // bash adds a second line quoting the code: one finding per line is enough.
      if (!match || seen.has(Number(match[1]))) continue;
      seen.add(Number(match[1]));
      findings.push(finding(unit, 'AIB214', lintRuleName('AIB214'), 'error', Number(match[1]), 1, `${unit.shell} -n: ${match[2] as string}`));
    }
  });
  return { findings, notes: [] };
}

interface ShellcheckComment {
  file: string;
  line: number;
  column: number;
  level: 'error' | 'warning' | 'info' | 'style';
  code: number;
  message: string;
}

/** ShellCheck on every shell unit: one process per group of options (scripts with a #! line, and the rest as POSIX sh). */
export async function shellcheck(units: readonly LintUnit[], scratch: Scratch): Promise<EngineResult> {
  if (units.length === 0) return { findings: [], notes: [] };
  const program = findShellcheck();
  if (!program) {
    return {
      findings: [],
      notes: [
        `ShellCheck is not installed, so ${units.length} shell script(s) were checked for syntax and AIB rules only: install it (apt-get install shellcheck, brew install shellcheck) and run again`,
      ],
    };
  }
  const { execa } = await import('execa');
  const findings: Finding[] = [];
  const groups: [string[], LintUnit[]][] = [
    [[], units.filter((u) => u.kind === 'file' && /^(?:\uFEFF)?#!/.test(u.bytes.subarray(0, 4).toString('utf8')))],
    [['--shell=sh', '--exclude=SC2148'], units.filter((u) => !(u.kind === 'file' && /^(?:\uFEFF)?#!/.test(u.bytes.subarray(0, 4).toString('utf8'))))],
  ];
  for (const [options, group] of groups) {
    if (group.length === 0) continue;
    const byPath = new Map<string, LintUnit>();
    for (const unit of group) byPath.set(await scratch.pathOf(unit), unit);
    const result = await execa(program, ['--format=json1', ...options, ...byPath.keys()], { reject: false });
    let parsed: { comments: ShellcheckComment[] };
    try {
      parsed = JSON.parse(String(result.stdout)) as { comments: ShellcheckComment[] };
    } catch {
      return { findings, notes: [`ShellCheck did not answer in its JSON format (exit ${result.exitCode}): ${String(result.stderr).split('\n')[0] ?? ''}`] };
    }
    for (const c of parsed.comments) {
      const unit = byPath.get(c.file);
      if (!unit) continue;
      // "referenced but not assigned" is expected where an ARM expression line assigns at deployment.
      if (c.code === 2154 && unit.hasExpressions) continue;
      const severity = c.level === 'error' ? 'error' : c.level === 'warning' ? 'warning' : 'info';
      findings.push(finding(unit, `SC${c.code}`, 'shellcheck', severity, c.line, c.column, `${c.message} (https://www.shellcheck.net/wiki/SC${c.code})`));
    }
  }
  return { findings, notes: [] };
}

interface PowerShellAnswer {
  id: number;
  errors: { line: number; column: number; message: string; errorId: string }[];
  findings: { rule: 'AIB206' | 'AIB207' | 'AIB209' | 'AIB211' | 'AIB212'; line: number; column: number; message: string }[];
}

/** PowerShell's own parser and an AST walk (templates/lint/analyze.ps1), one pwsh process for every script. */
export async function powershell(units: readonly LintUnit[], scratch: Scratch): Promise<EngineResult> {
  if (units.length === 0) return { findings: [], notes: [] };
  const program = findPwsh();
  if (!program) {
    return {
      findings: [],
      notes: [
        `PowerShell (pwsh) is not installed, so ${units.length} PowerShell script(s) were not parsed and PowerShell 7-only syntax was not looked for; install it (dotnet tool install --global PowerShell, or your package manager) and run again`,
      ],
    };
  }
  const { execa } = await import('execa');
  const request = await Promise.all(units.map(async (unit, id) => ({ id, path: await scratch.pathOf(unit) })));
  const result = await execa(program, ['-NoProfile', '-NonInteractive', '-File', join(templatesDir(), 'lint', 'analyze.ps1')], {
    input: JSON.stringify(request),
    reject: false,
  });
  let answers: PowerShellAnswer[];
  try {
    answers = JSON.parse(String(result.stdout)) as PowerShellAnswer[];
  } catch {
    return { findings: [], notes: [`PowerShell's parser could not be run (exit ${result.exitCode}): ${String(result.stderr).split('\n')[0] ?? ''}`] };
  }
  const findings: Finding[] = [];
  for (const answer of Array.isArray(answers) ? answers : [answers]) {
    const unit = units[answer.id] as LintUnit;
    for (const e of answer.errors ?? [])
      findings.push(finding(unit, 'AIB215', lintRuleName('AIB215'), 'error', e.line, e.column, `${e.message} (${e.errorId})`));
    for (const f of answer.findings ?? []) {
      if (f.rule === 'AIB207' && unit.override) continue;
      findings.push(finding(unit, f.rule, lintRuleName(f.rule), f.rule === 'AIB212' ? 'warning' : 'error', f.line, f.column, f.message));
    }
  }
  return { findings, notes: [] };
}
