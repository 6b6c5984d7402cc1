/**
 * One finding shape for every checker (validate's rules, lint's rules, ShellCheck, PowerShell's
 * parser), printed by one set of formatters (format.ts).
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** AIB104, AIB208, SC2086, PS-ParseError ... */
  rule: string;
  ruleName: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  column: number;
  /** RFC 6901 pointer into the file, for JSON templates. */
  pointer?: string;
}

export interface FileResult {
  file: string;
  findings: Finding[];
  /** Facts that shaped the check (API version, OS, what was skipped or could not be checked). */
  notes: string[];
}

/** What a rule id means, for SARIF and documentation. */
export interface RuleInfo {
  id: string;
  name: string;
  description: string;
  /** Why it matters and how to fix it. */
  help?: string;
  /** The severity a finding of this rule has unless the rule says otherwise (SARIF's defaultConfiguration.level). */
  defaultLevel?: Severity;
  helpUri?: string;
}
