import { UsageError } from '../errors.js';
import { LINT_RULES, lintPaths } from '../lint/index.js';
import { reportFindings, type FindingsFormat } from './findings.js';
import type { Output } from './output.js';

export interface LintCliOptions {
  os?: 'linux' | 'windows';
  format?: FindingsFormat;
  maxWarnings?: number;
}

export async function lintCommand(paths: string[], options: LintCliOptions, io: Output): Promise<number> {
  if (paths.length === 0) throw new UsageError('nothing to lint', ['usage: aibgen lint <script, folder or template...>']);
  const { results, failures } = await lintPaths(paths, { os: options.os });
  for (const failure of failures) io.err(`aibgen: ${failure.message}\n`);
  return reportFindings(results, { format: options.format, maxWarnings: options.maxWarnings, unreadable: failures.length, rules: LINT_RULES }, io);
}
