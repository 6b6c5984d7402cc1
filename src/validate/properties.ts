import type { Node } from 'jsonc-parser';
import { keyOf, properties } from '../template/index.js';
import { closest, type Checker } from './checker.js';
import { atLeast, type ApiVersion } from './spec.js';

/**
 * Reports the keys of `object` that the API version does not accept: wrong case and misspellings
 * with the closest known name, and names that only a later version knows.
 */
export function checkKeys(checker: Checker, object: Node, known: Record<string, ApiVersion>, where: string, ignore: ReadonlySet<string> = new Set()): void {
  const available = Object.keys(known).filter((k) => atLeast(checker.version, known[k] as ApiVersion));
  for (const prop of properties(object)) {
    const key = keyOf(prop);
    if (ignore.has(key) || available.includes(key)) continue;
    const keyNode = prop.children?.[0] as Node;
    const since = known[key];
    if (since) {
      const consequence =
        checker.strictness === 'error' ? 'the service rejects it' : 'the service ignored unknown fields then, and rejects them from 2024-02-01';
      checker.report(
        'AIB102',
        keyNode,
        `${where}: "${key}" is not in API ${checker.version} (it arrived in ${since}); ${consequence}: raise apiVersion or remove it`,
        'before-strict-api',
      );
      continue;
    }
    const suggestion = closest(key, available);
    const hint = suggestion
      ? `; did you mean "${suggestion.name}"?${suggestion.caseOnly ? ' (names are case-sensitive)' : ''}`
      : `; known: ${available.join(', ')}`;
    checker.report('AIB102', keyNode, `${where}: unknown property "${key}"${hint}`, 'before-strict-api');
  }
}
