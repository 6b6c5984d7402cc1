import type { Finding, Severity } from '../../findings/index.js';
import { abnormalEnd, boundedRun } from '../../util/bounded-run.js';
import { sanitizeLine } from '../../util/sanitize.js';
import { unitFinding } from '../finding.js';
import type { LintUnit } from '../unit.js';
import { checkInBatch, type BatchOutcome } from './batch.js';
import { findShellcheck, type EngineInfo } from './find.js';
import type { Scratch } from './scratch.js';
import type { EngineRun } from './types.js';

const LEVELS: Record<string, Severity> = { error: 'error', warning: 'warning', info: 'info', style: 'info' };

type Comment = { file: string; line: number; column: number; level: string; code: number; message: string };

const positive = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;

/** ShellCheck's json1 answer, checked field by field: anything else is a failed run, never "no problems". */
function parseAnswer(stdout: string): Comment[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return `its answer is not JSON (${stdout.trim() ? `it began "${stdout.trim().slice(0, 40)}"` : 'it printed nothing'})`;
  }
  const comments = (parsed as { comments?: unknown } | null)?.comments;
  if (!Array.isArray(comments)) return 'its answer has no list of comments';
  for (const c of comments as Partial<Comment>[]) {
    if (
      typeof c !== 'object' ||
      c === null ||
      typeof c.file !== 'string' ||
      !positive(c.line) ||
      !positive(c.column) ||
      typeof c.level !== 'string' ||
      !(c.level in LEVELS) ||
      !positive(c.code) ||
      typeof c.message !== 'string'
    )
      return `its answer holds a comment aibgen does not understand (${JSON.stringify(c).slice(0, 80)})`;
  }
  return comments as Comment[];
}

const hasShebang = (u: LintUnit) => u.kind === 'file' && /^(?:\uFEFF)?#!/.test(u.bytes.subarray(0, 5).toString('utf8'));

const versions = new Map<string, Promise<string>>();

async function shellcheckVersion(program: string, timeoutMs: number): Promise<string> {
  let version = versions.get(program);
  if (!version) {
    version = boundedRun(program, ['--version'], { timeoutMs }).then((r) => sanitizeLine(/^version: (\S+)/m.exec(r.stdout)?.[1] ?? 'unknown', 40));
    versions.set(program, version);
  }
  return version;
}

/** ShellCheck on every shell unit: one process per group of options (scripts with a #! line, and the rest as POSIX sh). */
export async function shellcheck(units: readonly LintUnit[], scratch: Scratch, timeoutMs: number): Promise<EngineRun> {
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
  const engine: EngineInfo = { name: 'shellcheck', path: program, version: await shellcheckVersion(program, timeoutMs) };
  const findings: Finding[] = [];
  const groups: [string[], LintUnit[]][] = [
    [[], units.filter(hasShebang)],
    [['--shell=sh', '--exclude=SC2148'], units.filter((u) => !hasShebang(u))],
  ];
  for (const [options, group] of groups) {
    const run = async (batch: readonly LintUnit[]): Promise<BatchOutcome> => {
      const byPath = new Map<string, LintUnit>();
      for (const unit of batch) byPath.set(await scratch.pathOf(unit), unit);
      const result = await boundedRun(program, ['--format=json1', ...options, '--', ...byPath.keys()], { timeoutMs });
      const failure = abnormalEnd(result, timeoutMs);
      if (failure) return { ok: false, why: failure };
      // 0: nothing found, 1: comments; anything else means it could not check (2: a file it could not read, 3-4: options).
      if (result.exitCode !== 0 && result.exitCode !== 1)
        return { ok: false, why: `it exited with ${result.exitCode}${result.stderr.trim() ? ` (${result.stderr.trim().split('\n')[0]})` : ''}` };
      const comments = parseAnswer(result.stdout);
      if (typeof comments === 'string') return { ok: false, why: comments };
      if (result.exitCode === 1 && comments.length === 0) return { ok: false, why: 'it exited with 1 but listed no comments' };
      const out: Finding[] = [];
      for (const c of comments) {
        const unit = byPath.get(c.file);
        // Comments on files it sourced (-x, external-sources) are not about what was asked.
        if (!unit) continue;
        // "referenced but not assigned" is expected where an ARM expression line assigns at deployment.
        if (c.code === 2154 && unit.hasExpressions) continue;
        out.push(
          unitFinding(
            unit,
            `SC${c.code}`,
            'shellcheck',
            LEVELS[c.level] as Severity,
            c.line,
            c.column,
            `${c.message} (https://www.shellcheck.net/wiki/SC${c.code})`,
          ),
        );
      }
      return { ok: true, findings: out };
    };
    findings.push(...(await checkInBatch('ShellCheck', group, run)));
  }
  return { findings, notes: [], engine };
}
