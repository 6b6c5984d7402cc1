import type { Finding } from '../../findings/index.js';
import { abnormalEnd, boundedRun } from '../../util/bounded-run.js';
import { sanitizeLine } from '../../util/sanitize.js';
import { ruleFinding } from '../finding.js';
import type { LintUnit } from '../unit.js';
import { checkInBatch, type BatchOutcome } from './batch.js';
import { findBash, type EngineInfo } from './find.js';
import type { EngineRun } from './types.js';
import type { Scratch } from './scratch.js';

/**
 * `bash -n` or `sh -n` on every shell unit, in one bash process: it prints a record separator and
 * the path before each check, so its answer can be split per file and checked to be complete.
 */
const LOOP = 'printf "\\036%s\\n" "$BASH_VERSION"; while [ "$#" -gt 0 ]; do printf "\\036%s\\n" "$2"; "$1" -n -- "$2" 2>&1; shift 2; done';

export async function shellSyntax(units: readonly LintUnit[], scratch: Scratch, timeoutMs: number): Promise<EngineRun> {
  const checked = units.filter((u) => u.shell !== 'other');
  if (checked.length === 0) return { findings: [], notes: [] };
  const bash = findBash();
  if (!bash) return { findings: [], notes: ['bash is not on PATH, so shell scripts were not parsed by bash -n / sh -n'] };
  let engine: EngineInfo | undefined;
  const run = async (batch: readonly LintUnit[]): Promise<BatchOutcome> => {
    const args: string[] = [];
    const paths: string[] = [];
    for (const unit of batch) {
      const path = await scratch.pathOf(unit);
      paths.push(path);
      args.push(unit.shell, path);
    }
    const result = await boundedRun(bash, ['-c', LOOP, 'aibgen-lint', ...args], { timeoutMs });
    const failure = abnormalEnd(result, timeoutMs);
    if (failure) return { ok: false, why: failure };
    const [head, ...blocks] = result.stdout.split('\u001e').slice(1);
    engine ??= { name: 'bash', path: bash, version: sanitizeLine(head ?? '', 40) || 'unknown' };
    if (blocks.length !== batch.length || blocks.some((block, i) => block.split('\n')[0] !== paths[i]))
      return { ok: false, why: `its answer does not cover the ${batch.length} file(s) it was given` };
    const findings: Finding[] = [];
    blocks.forEach((block, index) => {
      const unit = batch[index] as LintUnit;
      const prefix = `${paths[index] as string}: `;
      const seen = new Set<number>();
      for (const line of block.split('\n').slice(1)) {
        // bash: "<file>: line 3: syntax error near ..."; dash: "<file>: 3: Syntax error: ..."
        const match = line.startsWith(prefix) ? /^(?:line )?(\d{1,9}): (.*)$/.exec(line.slice(prefix.length)) : null;
        // bash adds a second line quoting the code: one finding per line is enough.
        if (!match || seen.has(Number(match[1]))) continue;
        seen.add(Number(match[1]));
        findings.push(ruleFinding(unit, 'AIB214', Number(match[1]), 1, `${unit.shell} -n: ${match[2] as string}`));
      }
    });
    return { ok: true, findings };
  };
  const findings = await checkInBatch('bash -n', checked, run);
  return { findings, notes: [], ...(engine ? { engine } : {}) };
}
