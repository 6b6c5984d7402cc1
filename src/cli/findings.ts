import { createRequire } from 'node:module';
import { checkExitCode, formatJson, formatSarif, formatText, type FileResult, type RuleInfo } from '../findings/index.js';
import type { Output } from './output.js';

export type FindingsFormat = 'text' | 'json' | 'sarif';

function version(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/** Prints results in the chosen format and returns the exit code validate and lint share (2 when a file could not be read). */
export function reportFindings(
  results: readonly FileResult[],
  options: { format?: FindingsFormat; maxWarnings?: number; unreadable: number; rules: ReadonlyMap<string, RuleInfo> },
  io: Output,
): number {
  const format = options.format ?? 'text';
  if (format === 'json') io.out(formatJson(results));
  else if (format === 'sarif') io.out(formatSarif(results, version(), options.rules));
  else io.out(formatText(results));
  if (options.unreadable > 0) return 2;
  const { code, tooManyWarnings } = checkExitCode(results, options.maxWarnings);
  if (tooManyWarnings) io.err(`aibgen: more warnings than --max-warnings ${options.maxWarnings}\n`);
  return code;
}
