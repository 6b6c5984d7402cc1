import type { Node } from 'jsonc-parser';
import { pointerOf, type JsonDocument } from '../template/index.js';
import { rule, severityOf, type RuleId, type RuleVariant } from './rules.js';
import { isStrictApi, type ApiVersion } from './spec.js';
import type { Finding } from '../findings/index.js';
import type { Os } from '../util/os.js';

export type { Finding, Severity } from '../findings/index.js';

/** Collects findings for one image template, with the API version and OS they are judged against. */
export class Checker {
  readonly findings: Finding[] = [];

  constructor(
    readonly doc: JsonDocument,
    readonly version: ApiVersion,
    readonly os: Os | undefined,
  ) {}

  /** Wrong case and unknown fields are errors where the service rejects them (2024-02-01 on), else warnings. */
  get strictness(): 'error' | 'warning' {
    return isStrictApi(this.version) ? 'error' : 'warning';
  }

  /** A finding of rule `id`, with the rule's severity (or its milder `variant`'s, which the rule must declare). */
  report(id: RuleId, node: Node, message: string, variant?: RuleVariant): void {
    const { line, column } = this.doc.lines.position(node.offset);
    // A property node points at its key; anything else at itself. The pointer names the value.
    const target = node.type === 'property' ? (node.children?.[1] ?? node) : node;
    const severity = severityOf(id, variant, isStrictApi(this.version));
    this.findings.push({ rule: id, ruleName: rule(id).name, severity, message, file: this.doc.file, line, column, pointer: pointerOf(target) });
  }
}

/** A string that is an ARM expression (`[...]`) or holds a `<placeholder>`: not judged as a literal. */
export function isDynamic(node: Node | undefined): boolean {
  if (node?.type !== 'string') return false;
  const value = (node.value as string).trim();
  return (value.startsWith('[') && value.endsWith(']')) || /<[^<>]+>/.test(value);
}

export function describeType(node: Node): string {
  switch (node.type) {
    case 'string':
      return `the string ${JSON.stringify(node.value)}`;
    case 'number':
      return `the number ${String(node.value)}`;
    case 'boolean':
      return String(node.value);
    case 'null':
      return 'null';
    case 'array':
      return 'an array';
    default:
      return 'an object';
  }
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

/** The known name closest to `name`: same letters in another case first, then small edit distances. */
export function closest(name: string, known: readonly string[]): { name: string; caseOnly: boolean } | undefined {
  const sameLetters = known.find((k) => k.toLowerCase() === name.toLowerCase());
  if (sameLetters) return { name: sameLetters, caseOnly: true };
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? { name: best, caseOnly: false } : undefined;
}
