import { basename } from 'node:path';
import { ParseError } from '../errors.js';
import type { ChecksumSite, SiteDocument, UriValue } from './sites.js';
import { customizerTypeOf, uriPropertyOf } from '../customizers/index.js';
import { LineIndex, applyEdits, eolAt, ownLineIndent, restOfLine, type TextEdit } from '../util/text-position.js';
import { BicepSyntaxError, literalOf, parseBicep, property, type BicepStructure, type ObjectNode, type PropertyNode, type Token } from '../bicep/index.js';

/** Longest URI a var/param chain may build, and the deepest chain followed: hostile files cannot make resolution explode. */
export const BICEP_MAX_RESOLVED_LENGTH = 8192;
export const BICEP_MAX_CHAIN = 64;

/** A resolved value, with the params whose defaults it used (a deployment may pass others). */
type Resolved = { value: string; params: string[] } | { reason: string };

/** Params of this file that a caller in the given files passes (a module's `params`, a .bicepparam): name -> where. */
export type PassedParams = ReadonlyMap<string, string>;

/**
 * Resolves URI values: a plain string, an interpolated string whose parts are vars or param
 * defaults of this file that are themselves (resolvable) strings, or a bare reference to one.
 * Each symbol is resolved once (memoized), chains are capped in depth and results in length.
 */
class Resolver {
  private readonly memo = new Map<string, Resolved>();
  constructor(
    private readonly structure: BicepStructure,
    private readonly text: string,
    private readonly passed: PassedParams,
  ) {}

  value(tokens: Token[], stack: readonly string[] = []): Resolved {
    if (tokens.length !== 1) {
      const shown = tokens.length === 0 ? '' : this.text.slice(tokens[0]?.start, tokens.at(-1)?.end);
      return { reason: `the value ${shown ? `"${shown.replace(/\s+/g, ' ').slice(0, 60)}" ` : ''}is an expression` };
    }
    const token = tokens[0] as Token;
    if (token.kind === 'ident') return this.symbol(token.value, stack);
    if (token.kind !== 'string') return { reason: `the value is not a string` };
    let out = '';
    const params = new Set<string>();
    for (const part of token.parts) {
      if (part.kind === 'text') out += part.value;
      else {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(part.text)) return { reason: `\${${part.text}} is an expression, not a var or param of this file` };
        const resolved = this.symbol(part.text, stack);
        if ('reason' in resolved) return resolved;
        out += resolved.value;
        for (const param of resolved.params) params.add(param);
      }
      if (out.length > BICEP_MAX_RESOLVED_LENGTH)
        return { reason: `the value grows past ${BICEP_MAX_RESOLVED_LENGTH} characters through vars and params; not a URI` };
    }
    return { value: out, params: [...params] };
  }

  private symbol(name: string, stack: readonly string[]): Resolved {
    const cached = this.memo.get(name);
    if (cached) return cached;
    // A loop variable or lambda parameter of the same name shadows the var or param where it is bound.
    if (this.structure.boundNames.has(name))
      return { reason: `${name} is bound by a for loop or a lambda in this file, so which value each step gets is known only to the Bicep compiler` };
    const symbol = this.structure.symbols.get(name);
    if (!symbol) return { reason: `${name} is not a var or param with a default in this file` };
    if (stack.includes(name)) return { reason: `${name} refers to itself` };
    if (stack.length >= BICEP_MAX_CHAIN) return { reason: `the chain of vars and params is deeper than ${BICEP_MAX_CHAIN}` };
    if (symbol.kind === 'param' && symbol.value.length === 0) return { reason: `param ${name} has no default (its value comes from the deployment)` };
    const passedBy = symbol.kind === 'param' ? this.passed.get(name) : undefined;
    if (passedBy) return { reason: `param ${name} is passed by ${passedBy}, so its default is not what deploys` };
    const resolved = this.value(symbol.value, [...stack, name]);
    const result: Resolved =
      'reason' in resolved
        ? resolved.reason.startsWith(`${symbol.kind} ${name}:`)
          ? resolved
          : { reason: `${symbol.kind} ${name}: ${resolved.reason}` }
        : { value: resolved.value, params: symbol.kind === 'param' ? [...new Set([name, ...resolved.params])] : resolved.params };
    // Failures that depend on the path taken (cycles, depth) are not cached.
    if ('value' in result || !/refers to itself|deeper than/.test(result.reason)) this.memo.set(name, result);
    return result;
  }
}

/** The checksum sites of a Bicep file: every object literal with type Shell/PowerShell + scriptUri or File + sourceUri. */
export function bicepSiteDocument(file: string, raw: string, passed: PassedParams = new Map()): SiteDocument {
  const bom = raw.startsWith('\uFEFF');
  const text = bom ? raw.slice(1) : raw;
  const lines = new LineIndex(text);
  let structure: BicepStructure;
  try {
    structure = parseBicep(text);
  } catch (error) {
    if (error instanceof BicepSyntaxError) {
      const { line, column } = lines.position(error.offset);
      throw new ParseError(file, line, column, error.message);
    }
    throw error;
  }
  const stem = basename(file).replace(/\.bicep$/i, '');
  const sites: ChecksumSite[] = [];
  const resolver = new Resolver(structure, text, passed);
  const named: { object: ObjectNode; name: string; key: PropertyNode }[] = [];

  for (const object of structure.objects) {
    if (object.inTypeDeclaration) continue;
    const typeValue = literalOf(property(object, 'type')?.value.length === 1 ? property(object, 'type')?.value[0] : undefined);
    const nameProp = property(object, 'name');
    const name = nameProp && nameProp.value.length === 1 ? literalOf(nameProp.value[0]) : undefined;
    if (customizerTypeOf(typeValue) && name !== undefined && nameProp) {
      named.push({ object, name, key: nameProp });
    }
    const declaration = object.declaration ?? stem;
    const where = { line: lines.position(object.start).line };
    // A spread can set type, scriptUri, sourceUri or sha256Checksum: such a step is seen and said, never filled.
    const stepLike = customizerTypeOf(typeValue) !== undefined || ['scriptUri', 'sourceUri', 'sha256Checksum'].some((k) => property(object, k));
    if (object.spread && stepLike) {
      const uriKey = property(object, 'sourceUri') ? 'sourceUri' : 'scriptUri';
      const uriProp = property(object, uriKey);
      const firstValue = uriProp?.value[0];
      sites.push({
        templateName: declaration,
        customizerLabel: name ?? `${typeValue ?? 'a step'} at line ${where.line}`,
        customizerName: name,
        type: typeValue ?? '(set by a spread)',
        pointer: `${declaration}:${where.line}`,
        uriProperty: uriKey,
        uri: {
          kind: 'unresolved',
          text: uriProp && firstValue ? text.slice(firstValue.start, (uriProp.value.at(-1) as Token).end) : '(set by a spread)',
          reason:
            'the step spreads another object into itself (...), which can set type, scriptUri, sourceUri or sha256Checksum; aibgen cannot tell what deploys',
        },
        uriPosition: lines.position(firstValue?.start ?? object.start),
        objectOffset: object.start,
        checksum: undefined,
        edit: () => [],
      });
      continue;
    }
    const uriProperty = uriPropertyOf(typeValue);
    if (!uriProperty) continue;
    const uriProp = property(object, uriProperty);
    if (!uriProp || uriProp.value.length === 0) continue;
    const resolved = resolver.value(uriProp.value);
    const firstValue = uriProp.value[0] as Token;
    const uriText = text.slice(firstValue.start, (uriProp.value.at(-1) as Token).end);
    const uri: UriValue = 'value' in resolved ? { kind: 'literal', value: resolved.value } : { kind: 'unresolved', text: uriText, reason: resolved.reason };
    const checksumProp = property(object, 'sha256Checksum');
    const checksumToken = checksumProp?.value.length === 1 ? checksumProp.value[0] : undefined;
    const checksumLiteral = literalOf(checksumToken);
    const params = 'value' in resolved ? resolved.params : [];
    sites.push({
      templateName: declaration,
      customizerLabel: name ?? `${typeValue} at line ${where.line}`,
      customizerName: name,
      type: typeValue as string,
      pointer: `${declaration}:${where.line}`,
      uriProperty,
      uri,
      ...(params.length > 0
        ? {
            note: `the URI uses the default of param ${params.join(', ')}; a deployment or a .bicepparam may pass another value (give the caller or the .bicepparam to fill too)`,
          }
        : {}),
      uriPosition: lines.position(firstValue.start),
      objectOffset: object.start,
      checksum: checksumProp
        ? {
            literal: checksumLiteral,
            text: checksumProp.value.length > 0 ? text.slice((checksumProp.value[0] as Token).start, (checksumProp.value.at(-1) as Token).end) : '',
            position: lines.position((checksumProp.value[0] ?? checksumProp.keyToken).start),
          }
        : undefined,
      edit: (sha256) =>
        checksumToken && checksumLiteral !== undefined
          ? [{ offset: checksumToken.start, length: checksumToken.end - checksumToken.start, text: `'${sha256}'` }]
          : insertAfter(text, uriProp, sha256),
    });
  }

  const duplicateNames = duplicateNamesOf(named, lines);
  return { file, sites, render: (edits) => (bom ? '\uFEFF' : '') + applyEdits(text, edits), duplicateNames };
}

function duplicateNamesOf(named: { object: ObjectNode; name: string; key: PropertyNode }[], lines: LineIndex): SiteDocument['duplicateNames'] {
  const byArray = new Map<unknown, Map<string, { object: ObjectNode; key: PropertyNode }[]>>();
  for (const entry of named) {
    if (!entry.object.parentArray) continue;
    const names = byArray.get(entry.object.parentArray) ?? new Map<string, { object: ObjectNode; key: PropertyNode }[]>();
    const list = names.get(entry.name) ?? [];
    list.push(entry);
    names.set(entry.name, list);
    byArray.set(entry.object.parentArray, names);
  }
  const out: SiteDocument['duplicateNames'] = [];
  for (const names of byArray.values()) {
    for (const [name, list] of names) {
      if (list.length < 2) continue;
      out.push({ templateName: list[0]?.object.declaration ?? '', name, positions: list.map((e) => lines.position(e.object.start)) });
    }
  }
  return out.sort((a, b) => (a.positions[0]?.line ?? 0) - (b.positions[0]?.line ?? 0));
}

/**
 * Inserts `sha256Checksum: '<hex>'` after the URI property: on a new line with the URI line's
 * indentation and line ending (and a comma if the URI line ends with one), or inline after the
 * value in a single-line object.
 */
function insertAfter(text: string, uriProp: PropertyNode, sha256: string): TextEdit[] {
  const valueEnd = (uriProp.value.at(-1) as Token).end;
  const indent = ownLineIndent(text, uriProp.keyToken.start);
  const rest = restOfLine(text, valueEnd);
  if (indent !== undefined && rest.atLineEnd) {
    return [{ offset: rest.end, length: 0, text: `${eolAt(text, valueEnd)}${indent}sha256Checksum: '${sha256}'${rest.comma ? ',' : ''}` }];
  }
  return [{ offset: valueEnd, length: 0, text: `, sha256Checksum: '${sha256}'` }];
}
