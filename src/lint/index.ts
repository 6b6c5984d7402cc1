export { lintPaths, lintUnits, type LintOptions, type LintReport, type LintPathsResult } from './lint.js';
export { LINT_RULES, type LintRuleId } from './rules.js';
export { fileUnit, templateUnits } from './sources.js';
export { findPwsh, findShellcheck } from './engines.js';
export type { LintUnit } from './unit.js';
