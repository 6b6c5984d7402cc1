export type { Finding, FileResult, Severity, RuleInfo } from './finding.js';
export { formatText, formatJson, formatSarif, totals, checkExitCode, NOT_CHECKED_RULES, type Totals } from './format.js';
