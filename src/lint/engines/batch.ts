import type { Finding } from '../../findings/index.js';
import { notChecked } from '../finding.js';
import type { LintUnit } from '../unit.js';

/** What one engine run over some units gave: their findings, or why it failed (then none of them counts as checked). */
export type BatchOutcome = { ok: true; findings: Finding[] } | { ok: false; why: string };

/**
 * Runs an engine once for all units (processes start slowly); when that run fails, runs it on
 * each unit alone, so one file that crashes or hangs the engine cannot switch off the checks of
 * the others. A unit that fails alone gets an AIB216 finding naming the engine and the reason.
 */
export async function checkInBatch(engine: string, units: readonly LintUnit[], run: (units: readonly LintUnit[]) => Promise<BatchOutcome>): Promise<Finding[]> {
  if (units.length === 0) return [];
  const all = await run(units);
  if (all.ok) return all.findings;
  if (units.length === 1) return [notChecked(units[0] as LintUnit, engine, all.why)];
  const findings: Finding[] = [];
  for (const unit of units) {
    const alone = await run([unit]);
    findings.push(...(alone.ok ? alone.findings : [notChecked(unit, engine, alone.why)]));
  }
  return findings;
}
