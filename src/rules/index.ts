export { RuleCatalog, type RuleDefinition } from './rule.js';
