import type { Node } from 'jsonc-parser';
import { findCustomizers, propertyNode, type JsonDocument } from '../template/index.js';
import { applyEdits, eolAt, ownLineIndent, restOfLine, type TextEdit } from '../util/text-position.js';
import type { ChecksumSite, SiteDocument } from './sites.js';
import { uriPropertyOf } from '../customizers/index.js';

/*
 * Why fill inserts lines by hand rather than with jsonc-parser's modify(): modify re-formats the
 * inserted property with its own indentation rules and puts it where the formatter decides, while
 * fill must change nothing but the checksum (same indent and line ending as the URI line, comments
 * on that line kept, a comma added only where needed). build, which rewrites a whole list, does
 * use modify (project/compose.ts).
 */

/** The checksum sites of a JSON template (bare body or ARM, with comments allowed). */
export function jsonSiteDocument(doc: JsonDocument): SiteDocument {
  const sites: ChecksumSite[] = [];
  const customizers = findCustomizers(doc);
  for (const customizer of customizers) {
    const uriProperty = uriPropertyOf(customizer.type);
    if (!uriProperty) continue;
    const uriProp = propertyNode(customizer.node, uriProperty);
    const uriNode = uriProp?.children?.[1];
    if (!uriProp || !uriNode) continue;
    const checksumNode = propertyNode(customizer.node, 'sha256Checksum')?.children?.[1];
    const uriText = doc.text.slice(uriNode.offset, uriNode.offset + uriNode.length);
    sites.push({
      templateName: customizer.template?.name ?? '(outside an image template)',
      customizerLabel: customizer.label,
      customizerName: customizer.name,
      type: customizer.type ?? '',
      pointer: customizer.pointer,
      uriProperty,
      uri:
        uriNode.type === 'string'
          ? { kind: 'literal', value: uriNode.value as string }
          : { kind: 'unresolved', text: uriText, reason: `${uriProperty} is not a string` },
      uriPosition: doc.lines.position(uriNode.offset),
      checksum: checksumNode
        ? {
            literal: checksumNode.type === 'string' && !/^\s*\[.*\]\s*$/s.test(checksumNode.value as string) ? (checksumNode.value as string) : undefined,
            text: doc.text.slice(checksumNode.offset, checksumNode.offset + checksumNode.length),
            position: doc.lines.position(checksumNode.offset),
          }
        : undefined,
      edit: (sha256) =>
        checksumNode ? [{ offset: checksumNode.offset, length: checksumNode.length, text: `"${sha256}"` }] : insertAfter(doc, uriProp, sha256),
    });
  }
  const duplicateNames = findDuplicateNames(doc, customizers);
  return {
    file: doc.file,
    sites,
    render: (edits) => (doc.bom ? '\uFEFF' : '') + applyEdits(doc.text, edits),
    duplicateNames,
  };
}

function findDuplicateNames(doc: JsonDocument, customizers: ReturnType<typeof findCustomizers>): SiteDocument['duplicateNames'] {
  const groups = new Map<string, { templateName: string; name: string; nodes: Node[] }>();
  for (const c of customizers) {
    if (!c.template || c.name === undefined) continue;
    const key = `${c.template.pointer}\u0000${c.list}\u0000${c.name}`;
    const group = groups.get(key) ?? { templateName: c.template.name, name: c.name, nodes: [] };
    group.nodes.push(c.node);
    groups.set(key, group);
  }
  return [...groups.values()]
    .filter((g) => g.nodes.length > 1)
    .map((g) => ({ templateName: g.templateName, name: g.name, positions: g.nodes.map((n) => doc.lines.position(n.offset)) }));
}

/**
 * Inserts `"sha256Checksum": "<hex>"` right after the URI property. When the URI property sits on
 * its own line, the new property gets its own line with the same indentation and line ending;
 * otherwise it goes inline. A trailing comment on the URI line stays on that line.
 */
function insertAfter(doc: JsonDocument, uriProp: Node, sha256: string): TextEdit[] {
  const text = doc.text;
  const valueEnd = uriProp.offset + uriProp.length;
  const indent = ownLineIndent(text, uriProp.offset);
  const rest = restOfLine(text, valueEnd);
  const property = `"sha256Checksum": "${sha256}"`;
  if (indent !== undefined && rest.atLineEnd) {
    const eol = eolAt(text, valueEnd);
    if (rest.comma) return [{ offset: rest.end, length: 0, text: `${eol}${indent}${property},` }];
    return [
      { offset: valueEnd, length: 0, text: ',' },
      { offset: rest.end, length: 0, text: `${eol}${indent}${property}` },
    ];
  }
  return [{ offset: valueEnd, length: 0, text: `, ${property}` }];
}
