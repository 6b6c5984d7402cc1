import { createRequire } from 'node:module';
import { checkExitCode, formatJson, formatSarif, formatText, NOT_CHECKED_RULES, type FileResult, type RuleInfo } from '../findings/index.js';
import type { EngineInfo } from '../lint/index.js';
import type { Output } from './output.js';

export type FindingsFormat = 'text' | 'json' | 'sarif';

function version(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/**
 * Prints results in the chosen format and returns the exit code validate and lint share: 2 when a
 * file could not be read or something could not be checked, 1 on errors, else 0.
 */
export function reportFindings(
  results: readonly FileResult[],
  options: {
    format?: FindingsFormat;
    maxWarnings?: number;
    unreadable: number;
    rules: ReadonlyMap<string, RuleInfo>;
    engines?: readonly EngineInfo[];
    verbose?: boolean;
  },
  io: Output,
): number {
  const format = options.format ?? 'text';
  if (format === 'json') io.out(formatJson(results, options.engines ? { engines: options.engines } : {}));
  else if (format === 'sarif') io.out(formatSarif(results, version(), options.rules));
  else io.out(formatText(results));
  if (options.verbose && options.engines) {
    if (options.engines.length === 0) io.err('engines: none ran\n');
    for (const engine of options.engines) io.err(`engine: ${engine.name} ${engine.version} (${engine.path})\n`);
  }
  const notChecked = results.reduce((n, r) => n + r.findings.filter((f) => NOT_CHECKED_RULES.has(f.rule)).length, 0);
  if (notChecked > 0) io.err(`aibgen: ${notChecked} check(s) could not be done (see the ${[...NOT_CHECKED_RULES].join('/')} findings); this is not a pass\n`);
  if (options.unreadable > 0) return 2;
  const { code, tooManyWarnings } = checkExitCode(results, options.maxWarnings);
  if (tooManyWarnings) io.err(`aibgen: more warnings than --max-warnings ${options.maxWarnings}\n`);
  return code;
}
