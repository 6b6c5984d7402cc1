export {
  lintPaths,
  lintUnits,
  DEFAULT_ENGINE_TIMEOUT_SECONDS,
  DEFAULT_MAX_SCRIPT_SIZE,
  type LintOptions,
  type LintReport,
  type LintNote,
  type LintPathsResult,
} from './lint.js';
export { LINT_RULES, LINT_RULE_LIST, type LintRuleId } from './rules.js';
export { fileUnit, templateUnits } from './sources.js';
export { findBash, findPwsh, findShellcheck, type EngineInfo } from './engines/index.js';
export type { LintUnit } from './unit.js';
