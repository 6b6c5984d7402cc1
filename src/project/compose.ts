import type { Node } from 'jsonc-parser';
import { getNodeValue } from 'jsonc-parser';
import { AibgenError } from '../errors.js';
import type { CustomizerEntry } from '../customizers/index.js';
import { propertyNode, stringValue, valueNode, type ImageTemplateRef, type JsonDocument } from '../template/index.js';
import { applyEdits, detectEol } from '../util/text-position.js';

export type Slot = { customizers: CustomizerEntry[] } | { existing: string; where: string };

/** The indentation unit the file uses (tab, or the smallest run of leading spaces). */
function indentUnit(text: string): string {
  if (/^\t/m.test(text)) return '\t';
  const widths = [...text.matchAll(/^( +)\S/gm)].map((m) => (m[1] as string).length);
  const smallest = Math.min(...widths.filter((w) => w > 0));
  return ' '.repeat(Number.isFinite(smallest) ? Math.min(smallest, 8) : 2);
}

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

/** JSON of `value`, indented like the file, continuing at `baseIndent`, with the file's line ending. */
export function formatLike(value: unknown, unit: string, baseIndent: string, eol: string): string {
  return JSON.stringify(value, null, unit)
    .split('\n')
    .map((line, i) => (i === 0 ? line : baseIndent + line))
    .join(eol);
}

/**
 * The template's customize array, rebuilt: its own customizers that no `existing` step names stay
 * first, in their order; then the project's steps in project order (an `existing` step puts the
 * named customizer there). Only the customize value changes; the rest of the file keeps its bytes.
 */
export function composeCustomize(doc: JsonDocument, template: ImageTemplateRef, slots: readonly Slot[], projectFile: string): { text: string; customize: CustomizerEntry[] } {
  const props = template.properties;
  if (!props || props.type !== 'object') throw new AibgenError('E_PROJECT', `${doc.file}: the image template's properties are not an object; aibgen build needs a literal template`);
  const current = valueNode(props, 'customize');
  if (current && current.type !== 'array') throw new AibgenError('E_PROJECT', `${doc.file}: properties.customize is ${current.type === 'string' ? 'an expression' : 'not an array'}; aibgen build needs a literal array to add steps to`);
  const own = (current?.children ?? []).map((node) => ({ node, name: stringValue(node, 'name') }));
  const claimed = new Set<Node>();
  const resolved: CustomizerEntry[][] = slots.map((slot) => {
    if ('customizers' in slot) return slot.customizers;
    const match = own.find((c) => c.name === slot.existing);
    if (!match) {
      const names = own.map((c) => c.name).filter(Boolean);
      throw new AibgenError('E_PROJECT', `${projectFile}: ${slot.where}.existing: no customizer named "${slot.existing}" in the template`, {
        details: [names.length ? `its customizers are named: ${names.join(', ')}` : 'the template has no named customizers'],
      });
    }
    claimed.add(match.node);
    return [getNodeValue(match.node) as CustomizerEntry];
  });
  const kept = own.filter((c) => !claimed.has(c.node)).map((c) => getNodeValue(c.node) as CustomizerEntry);
  const customize = [...kept, ...resolved.flat()];

  const text = doc.text;
  const eol = detectEol(text);
  const unit = indentUnit(text);
  if (current) {
    const prop = propertyNode(props, 'customize') as Node;
    const json = formatLike(customize, unit, lineIndent(text, prop.offset), eol);
    return { text: (doc.bom ? '\uFEFF' : '') + applyEdits(text, [{ offset: current.offset, length: current.length, text: json }]), customize };
  }
  const first = props.children?.[0];
  if (!first) {
    const indent = lineIndent(text, props.offset) + unit;
    const json = formatLike(customize, unit, indent, eol);
    return { text: (doc.bom ? '\uFEFF' : '') + applyEdits(text, [{ offset: props.offset + 1, length: 0, text: `${eol}${indent}"customize": ${json}${eol}${lineIndent(text, props.offset)}` }]), customize };
  }
  const indent = lineIndent(text, first.offset);
  const json = formatLike(customize, unit, indent, eol);
  return { text: (doc.bom ? '\uFEFF' : '') + applyEdits(text, [{ offset: first.offset, length: 0, text: `"customize": ${json},${eol}${indent}` }]), customize };
}
