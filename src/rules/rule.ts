import type { RuleInfo, Severity } from '../findings/index.js';

/**
 * One rule, defined once: the code findings carry, a short name, the default severity, what it
 * finds, why that matters, how to fix it, and what checks it (aibgen itself, or an engine: bash,
 * ShellCheck, pwsh, the Bicep compiler, tree-sitter's bash parser). Findings, SARIF and
 * docs/rules.md all read it from here.
 */
export interface RuleDefinition {
  id: string;
  name: string;
  severity: Severity;
  description: string;
  why: string;
  fix: string;
  engine: string;
  /** Milder cases the rule reports at another severity, each with when it applies (validate: before the strict API, advisory). */
  variants?: Readonly<Record<string, string>>;
}

export class RuleCatalog<Id extends string = string> {
  private readonly byId: ReadonlyMap<string, RuleDefinition>;

  constructor(readonly list: readonly (RuleDefinition & { id: Id })[]) {
    this.byId = new Map(list.map((rule) => [rule.id, rule]));
  }

  get(id: Id): RuleDefinition {
    const rule = this.byId.get(id);
    if (!rule) throw new Error(`unknown rule ${id}`);
    return rule;
  }

  has(id: string): id is Id {
    return this.byId.has(id);
  }

  /** RuleInfo for SARIF: the description, with why and fix as help text. */
  info(): ReadonlyMap<string, RuleInfo> {
    return new Map(
      this.list.map((rule) => [
        rule.id,
        { id: rule.id, name: rule.name, description: rule.description, help: `${rule.why} Fix: ${rule.fix}`, defaultLevel: rule.severity },
      ]),
    );
  }
}
