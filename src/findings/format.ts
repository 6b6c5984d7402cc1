import type { FileResult, RuleInfo } from './finding.js';

export interface Totals {
  errors: number;
  warnings: number;
  infos: number;
}

export function totals(results: readonly FileResult[]): Totals {
  const counts: Totals = { errors: 0, warnings: 0, infos: 0 };
  for (const result of results) {
    for (const f of result.findings) {
      if (f.severity === 'error') counts.errors++;
      else if (f.severity === 'warning') counts.warnings++;
      else counts.infos++;
    }
  }
  return counts;
}

/** eslint-like lines: `file:line:col  severity  AIB104 rule-name  message`, notes first, a summary last. */
export function formatText(results: readonly FileResult[]): string {
  let out = '';
  for (const result of results) {
    for (const note of result.notes) out += `${result.file}  note  ${note}\n`;
    for (const f of result.findings) out += `${f.file}:${f.line}:${f.column}  ${f.severity}  ${f.rule} ${f.ruleName}  ${f.message}\n`;
  }
  if (results.length === 0) return out;
  const { errors, warnings, infos } = totals(results);
  const all = errors + warnings + infos;
  out +=
    all === 0
      ? `no problems in ${results.length} file(s)\n`
      : `${all} problem(s) (${errors} error(s), ${warnings} warning(s)${infos ? `, ${infos} info` : ''}) in ${results.length} file(s)\n`;
  return out;
}

/** `extra`: facts about the run as a whole (the engines that ran), added at the top level. */
export function formatJson(results: readonly FileResult[], extra: Record<string, unknown> = {}): string {
  const { errors, warnings, infos } = totals(results);
  return `${JSON.stringify({ files: results.map((r) => ({ file: r.file, findings: r.findings, notes: r.notes })), errors, warnings, infos, ...extra }, null, 2)}\n`;
}

/** SARIF 2.1.0, so code scanning shows findings on the lines. `rules` describes every rule id that may appear. */
export function formatSarif(results: readonly FileResult[], version: string, rules: ReadonlyMap<string, RuleInfo>): string {
  const used = new Map(rules);
  for (const f of results.flatMap((r) => r.findings)) if (!used.has(f.rule)) used.set(f.rule, { id: f.rule, name: f.ruleName, description: f.ruleName });
  const list = [...used.values()];
  const index = new Map(list.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'aibgen',
            version,
            informationUri: 'https://www.npmjs.com/package/aibgen',
            rules: list.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.description },
              ...(r.help ? { help: { text: r.help } } : {}),
              ...(r.defaultLevel ? { defaultConfiguration: { level: r.defaultLevel === 'info' ? 'note' : r.defaultLevel } } : {}),
              ...(r.helpUri ? { helpUri: r.helpUri } : {}),
            })),
          },
        },
        results: results.flatMap((r) =>
          r.findings.map((f) => ({
            ruleId: f.rule,
            ruleIndex: index.get(f.rule),
            level: f.severity === 'info' ? 'note' : f.severity,
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: f.file.split('\\').join('/') },
                  region: { startLine: f.line, startColumn: f.column },
                },
                ...(f.pointer !== undefined ? { logicalLocations: [{ fullyQualifiedName: f.pointer || '/' }] } : {}),
              },
            ],
          })),
        ),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/**
 * Rules whose findings say a check could not run (an engine crashed, hung or answered oddly; a value
 * could not be evaluated): the run did not do its work, so it exits 2, never 0.
 */
export const NOT_CHECKED_RULES: ReadonlySet<string> = new Set(['AIB216', 'AIB190']);

/** The exit code of a check: 2 when something could not be checked, 1 on errors or more warnings than allowed, else 0. */
export function checkExitCode(results: readonly FileResult[], maxWarnings: number | undefined): { code: 0 | 1 | 2; tooManyWarnings: boolean } {
  if (results.some((r) => r.findings.some((f) => NOT_CHECKED_RULES.has(f.rule)))) return { code: 2, tooManyWarnings: false };
  const { errors, warnings } = totals(results);
  if (errors > 0) return { code: 1, tooManyWarnings: false };
  if (maxWarnings !== undefined && warnings > maxWarnings) return { code: 1, tooManyWarnings: true };
  return { code: 0, tooManyWarnings: false };
}
