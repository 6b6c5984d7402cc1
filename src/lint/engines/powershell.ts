import { join } from 'node:path';
import type { Finding } from '../../findings/index.js';
import { abnormalEnd, boundedRun } from '../../util/bounded-run.js';
import { sanitizeLine } from '../../util/sanitize.js';
import { templatesDir } from '../../util/package-paths.js';
import { ruleFinding } from '../finding.js';
import type { LintUnit } from '../unit.js';
import { checkInBatch, type BatchOutcome } from './batch.js';
import { findPwsh, type EngineInfo } from './find.js';
import type { Scratch } from './scratch.js';
import type { EngineRun } from './types.js';

const AST_RULES = new Set(['AIB206', 'AIB207', 'AIB209', 'AIB211', 'AIB212'] as const);
type AstRule = typeof AST_RULES extends Set<infer T> ? T : never;

interface Answer {
  id: number;
  errors: { line: number; column: number; message: string; errorId: string }[];
  findings: { rule: AstRule; line: number; column: number; message: string }[];
}

const positive = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
const located = (x: unknown): x is { line: number; column: number; message: string } =>
  typeof x === 'object' &&
  x !== null &&
  positive((x as { line?: unknown }).line) &&
  positive((x as { column?: unknown }).column) &&
  typeof (x as { message?: unknown }).message === 'string';

/** analyze.ps1's answer, checked: one result per unit, every position a positive whole number, every rule one it may report. */
function parseAnswer(stdout: string, count: number): { version: string; results: Answer[] } | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return `its answer is not JSON (${stdout.trim() ? `it began "${stdout.trim().slice(0, 40)}"` : 'it printed nothing'})`;
  }
  const answer = parsed as { version?: unknown; results?: unknown } | null;
  if (typeof answer !== 'object' || answer === null || typeof answer.version !== 'string' || !Array.isArray(answer.results))
    return `its answer is not the analyzer's (${JSON.stringify(parsed)?.slice(0, 60) ?? 'undefined'})`;
  const results = answer.results as Partial<Answer>[];
  const ids = new Set<number>();
  for (const r of results) {
    if (typeof r !== 'object' || r === null || !Number.isSafeInteger(r.id) || (r.id as number) < 0 || (r.id as number) >= count || ids.has(r.id as number))
      return `its answer names a script it was not given (${JSON.stringify(r).slice(0, 60)})`;
    ids.add(r.id as number);
    if (!Array.isArray(r.errors) || !r.errors.every((e) => located(e) && typeof (e as { errorId?: unknown }).errorId === 'string'))
      return 'its answer holds a parse error without a place';
    if (!Array.isArray(r.findings) || !r.findings.every((f) => located(f) && AST_RULES.has((f as { rule: AstRule }).rule)))
      return 'its answer holds a finding aibgen does not understand';
  }
  if (ids.size !== count) return `it answered for ${ids.size} of ${count} script(s)`;
  return { version: answer.version, results: results as Answer[] };
}

/** PowerShell's own parser and an AST walk (templates/lint/analyze.ps1), one pwsh process for every script. */
export async function powershell(units: readonly LintUnit[], scratch: Scratch, timeoutMs: number): Promise<EngineRun> {
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
  let engine: EngineInfo | undefined;
  const run = async (batch: readonly LintUnit[]): Promise<BatchOutcome> => {
    const request = await Promise.all(batch.map(async (unit, id) => ({ id, path: await scratch.pathOf(unit) })));
    const result = await boundedRun(program, ['-NoProfile', '-NonInteractive', '-File', join(templatesDir(), 'lint', 'analyze.ps1')], {
      input: JSON.stringify(request),
      timeoutMs,
    });
    const failure = abnormalEnd(result, timeoutMs);
    if (failure) return { ok: false, why: failure };
    if (result.exitCode !== 0)
      return { ok: false, why: `it exited with ${result.exitCode}${result.stderr.trim() ? ` (${result.stderr.trim().split('\n')[0]})` : ''}` };
    const answer = parseAnswer(result.stdout, batch.length);
    if (typeof answer === 'string') return { ok: false, why: answer };
    engine ??= { name: 'pwsh', path: program, version: sanitizeLine(answer.version, 40) };
    const findings: Finding[] = [];
    for (const item of answer.results) {
      const unit = batch[item.id] as LintUnit;
      for (const e of item.errors) findings.push(ruleFinding(unit, 'AIB215', e.line, e.column, `${e.message} (${e.errorId})`));
      for (const f of item.findings) {
        if (f.rule === 'AIB207' && unit.override) continue;
        findings.push(ruleFinding(unit, f.rule, f.line, f.column, f.message));
      }
      if (unit.override && item.errors.length === 0 && !item.findings.some((f) => f.rule === 'AIB207'))
        findings.push(
          ruleFinding(
            unit,
            'AIB217',
            1,
            1,
            'this deprovisioning override never runs Sysprep: the image is not generalized, and VMs made from it fail to provision or keep the build VM identity. Run Sysprep /oobe /generalize /quiet /quit and wait for IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE, as the default does (aibgen deprovision --os windows)',
          ),
        );
    }
    return { ok: true, findings };
  };
  const findings = await checkInBatch('PowerShell', units, run);
  return { findings, notes: [], ...(engine ? { engine } : {}) };
}
