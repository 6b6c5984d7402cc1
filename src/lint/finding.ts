import type { Finding, Severity } from '../findings/index.js';
import { LineIndex } from '../util/text-position.js';
import { redact } from '../util/redact.js';
import { sanitizeLine } from '../util/sanitize.js';
import { LINT_RULES, type LintRuleId } from './rules.js';
import type { LintUnit } from './unit.js';

/** A finding on a unit, placed where the user can fix it (an inline command's line in the template), worded safely. */
export function unitFinding(unit: LintUnit, rule: string, ruleName: string, severity: Severity, line: number, column: number, message: string): Finding {
  const at = unit.locate ? unit.locate(line, column) : { line, column };
  return {
    rule,
    ruleName,
    severity,
    message: redact(sanitizeLine(unit.label ? `${unit.label}: ${message}` : message)),
    file: unit.file,
    line: at.line,
    column: at.column,
    ...(at.pointer !== undefined ? { pointer: at.pointer } : {}),
  };
}

/** A finding of one of aibgen's own lint rules, with the rule's name and default severity. */
export function ruleFinding(unit: LintUnit, rule: LintRuleId, line: number, column: number, message: string): Finding {
  const definition = LINT_RULES.get(rule);
  return unitFinding(unit, rule, definition.name, definition.severity, line, column, message);
}

/** A finding at a character offset of the unit's text. */
export function offsetFinding(unit: LintUnit, lines: LineIndex, rule: LintRuleId, offset: number, message: string): Finding {
  const { line, column } = lines.position(offset);
  return ruleFinding(unit, rule, line, column, message);
}

/** The unit could not be checked: an error of its own (AIB216), which makes lint exit 2. */
export function notChecked(unit: LintUnit, by: string, why: string): Finding {
  return ruleFinding(unit, 'AIB216', 1, 1, `could not be checked by ${by}: ${why}`);
}
