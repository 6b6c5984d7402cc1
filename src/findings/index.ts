export type { Finding, FileResult, Severity, RuleInfo } from './finding.js';
export { formatText, formatJson, formatSarif, totals, checkExitCode, type Totals } from './format.js';
