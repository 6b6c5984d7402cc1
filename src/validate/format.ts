import { RULES } from './rules.js';
import type { FileResult } from './validate.js';

export interface Totals {
  errors: number;
  warnings: number;
}

export function totals(results: readonly FileResult[]): Totals {
  const all = results.flatMap((r) => r.findings);
  return { errors: all.filter((f) => f.severity === 'error').length, warnings: all.filter((f) => f.severity === 'warning').length };
}

/** eslint-like lines: `file:line:col  severity  AIB104 rule-name  message`. */
export function formatText(results: readonly FileResult[]): string {
  let out = '';
  for (const result of results) {
    for (const note of result.notes) out += `${result.file}  note  ${note}\n`;
    for (const f of result.findings) out += `${f.file}:${f.line}:${f.column}  ${f.severity}  ${f.rule} ${f.ruleName}  ${f.message}\n`;
  }
  const { errors, warnings } = totals(results);
  if (results.length === 0) return out;
  out +=
    errors + warnings === 0
      ? `no problems in ${results.length} file(s)\n`
      : `${errors + warnings} problem(s) (${errors} error(s), ${warnings} warning(s)) in ${results.length} file(s)\n`;
  return out;
}

export function formatJson(results: readonly FileResult[]): string {
  const { errors, warnings } = totals(results);
  return `${JSON.stringify({ files: results.map((r) => ({ file: r.file, findings: r.findings, notes: r.notes })), errors, warnings }, null, 2)}\n`;
}

/** SARIF 2.1.0, so code scanning shows findings on the lines. */
export function formatSarif(results: readonly FileResult[], version: string): string {
  const rules = [...RULES.values()];
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
            rules: rules.map((r) => ({ id: r.id, name: r.name, shortDescription: { text: r.description } })),
          },
        },
        results: results.flatMap((r) =>
          r.findings.map((f) => ({
            ruleId: f.rule,
            ruleIndex: rules.findIndex((x) => x.id === f.rule),
            level: f.severity,
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: f.file.split('\\').join('/') },
                  region: { startLine: f.line, startColumn: f.column },
                },
                logicalLocations: [{ fullyQualifiedName: f.pointer || '/' }],
              },
            ],
          })),
        ),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
