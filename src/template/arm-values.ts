import type { Node } from 'jsonc-parser';
import { propertyNode, valueNode } from './json-document.js';

/**
 * The literal value behind a string that is a plain ARM reference, `[parameters('x')]` or
 * `[variables('x')]`, looked up in the deployment template that holds the node (a parameter's
 * defaultValue, a variable's value), following chains of such references. Anything else (a
 * function call, a concat, a parameter without a default) stays unknown: undefined.
 */
const REFERENCE = /^\[\s*(parameters|variables)\s*\(\s*'([^']+)'\s*\)\s*\]$/i;
const MAX_CHAIN = 16;

function enclosingTemplate(node: Node): Node | undefined {
  for (let current: Node | undefined = node.parent; current; current = current.parent) {
    if (current.type === 'object' && propertyNode(current, 'resources') && (propertyNode(current, 'parameters') || propertyNode(current, 'variables')))
      return current;
  }
  return undefined;
}

export function resolveArmString(node: Node | undefined): string | undefined {
  let current = node;
  for (let hops = 0; current && hops <= MAX_CHAIN; hops++) {
    if (current.type !== 'string') return undefined;
    const value = current.value as string;
    const match = REFERENCE.exec(value.trim());
    if (!match) return value.startsWith('[') && !value.startsWith('[[') ? undefined : value;
    const template = enclosingTemplate(current);
    if (!template) return undefined;
    const kind = (match[1] as string).toLowerCase();
    const name = match[2] as string;
    current =
      kind === 'parameters' ? valueNode(valueNode(valueNode(template, 'parameters'), name), 'defaultValue') : valueNode(valueNode(template, 'variables'), name);
  }
  return undefined;
}
