export { validateFile, validateDocument, checkApiVersionOption, type ValidateOptions, type FileResult } from './validate.js';
export { RULES, type RuleId, type RuleInfo } from './rules.js';
export type { Finding, Severity } from './checker.js';
export { API_VERSIONS, NEWEST, type ApiVersion } from './spec.js';
