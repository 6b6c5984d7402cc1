import { UsageError } from '../errors.js';
import { LINT_RULES, lintPaths } from '../lint/index.js';
import { reportFindings } from './findings.js';
import type { Output } from './output.js';
import type { LintCliOptions } from './commands/lint.js';

export async function lintCommand(paths: string[], options: LintCliOptions, io: Output): Promise<number> {
  if (paths.length === 0) throw new UsageError('nothing to lint', ['usage: aibgen lint <script, folder or template...>']);
  const { results, failures, engines, ignored } = await lintPaths(paths, {
    os: options.os,
    engineTimeoutSeconds: options.engineTimeout,
    maxScriptSize: options.maxScriptSize,
  });
  for (const failure of failures) io.err(`aibgen: ${failure.message}\n`);
  if (results.length === 0 && failures.length === 0) {
    const why = ignored > 0 ? ` (${ignored} file(s) or folder(s) are ignored by .gitignore or .aibignore)` : '';
    io.err(`aibgen: nothing to lint in ${paths.join(', ')}: no .sh, .ps1 or template file${why}\n`);
    if (!options.allowEmpty) {
      io.err('  a lint that checked nothing is not a pass; pass --allow-empty if that is expected\n');
      return 2;
    }
  }
  return reportFindings(
    results,
    { format: options.format, maxWarnings: options.maxWarnings, unreadable: failures.length, rules: LINT_RULES.info(), engines, verbose: options.verbose },
    io,
  );
}
