import { literalOf, tokenize, type Token } from './lexer.js';
import { parseBicep, property, type ObjectNode, type PropertyNode } from './objects.js';

/**
 * The literal step lists of the image templates a .bicep file declares, found in its text, and the
 * edits that rewrite them: build puts its steps into a `customize: [ ... ]` literal (and
 * `validate.inVMValidations`) and leaves every other byte of the file as it was. The template's own
 * elements are kept as written, comments before them included.
 */

export const IMAGE_TEMPLATE_TYPE = /^Microsoft\.VirtualMachineImages\/imageTemplates@/i;

/** One element of a literal list: its text from its leading comments to its end. */
export interface ListElement {
  start: number;
  /** Where the element itself starts (after its leading comments). */
  valueStart: number;
  end: number;
  text: string;
}

export interface LiteralList {
  /** The `[` ... `]` of the list, end exclusive. */
  start: number;
  end: number;
  elements: ListElement[];
  /** Comments after the last element, kept at the end. */
  tail: string | undefined;
  /** Indentation of the line of the key (`customize:`), and of the elements. */
  keyIndent: string;
  elementIndent: string;
}

export interface BicepImageTemplate {
  /** The resource's symbolic name (`resource <symbol> '...'`). */
  symbol: string;
  /** Its `name`, when that is a plain string literal. */
  name: string | undefined;
  /** Offset of the `resource` keyword. */
  offset: number;
  properties: ObjectNode | undefined;
  /** The customize list, or why it is not a literal build can rewrite. */
  customize: LiteralList | NotLiteral | undefined;
  /** `validate`: its property, and its object literal when it is one (undefined: an expression). */
  validate: { prop: PropertyNode; object: ObjectNode | undefined } | undefined;
  inVMValidations: LiteralList | NotLiteral | undefined;
}

export interface NotLiteral {
  notLiteral: string;
  offset: number;
}

function isPunct(token: Token | undefined, value: string): boolean {
  return token?.kind === 'punct' && token.value === value;
}

export function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
}

/** The elements of the literal list whose `[` is at `open`; undefined when it is not a plain list (a `for` comprehension). */
export function literalList(text: string, open: number, keyOffset: number): LiteralList | NotLiteral {
  const tokens = tokenize(text);
  let i = tokens.findIndex((t) => t.start === open);
  const elements: ListElement[] = [];
  let current: { start: number; valueStart: number; end: number } | undefined;
  let leading: { start: number; end: number } | undefined;
  let depth = 0;
  const close = () => {
    if (current) elements.push({ ...current, text: text.slice(current.start, current.end) });
    current = undefined;
  };
  for (i++; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (depth === 0) {
      if (isPunct(t, ']')) break;
      if (t.kind === 'newline' || isPunct(t, ',')) {
        close();
        continue;
      }
      if (t.kind === 'comment') {
        if (current) current.end = t.end;
        else leading = { start: leading?.start ?? t.start, end: t.end };
        continue;
      }
      if (t.kind === 'ident' && t.value === 'for' && elements.length === 0 && !current)
        return { notLiteral: 'a for expression makes the list, not literal elements', offset: t.start };
      if (isPunct(t, '.') && isPunct(tokens[i + 1], '.') && isPunct(tokens[i + 2], '.'))
        return { notLiteral: 'a spread (...) adds elements aibgen cannot place', offset: t.start };
    }
    if (!current) {
      current = { start: leading?.start ?? t.start, valueStart: t.start, end: t.end };
      leading = undefined;
    }
    current.end = t.end;
    if (t.kind === 'punct' && (t.value === '{' || t.value === '[' || t.value === '(')) depth++;
    if (t.kind === 'punct' && (t.value === '}' || t.value === ']' || t.value === ')')) depth--;
  }
  close();
  const end = (tokens[i] as Token).end;
  const keyIndent = lineIndent(text, keyOffset);
  const first = elements[0];
  const firstOnOwnLine = first !== undefined && /^[ \t]*$/.test(text.slice(text.lastIndexOf('\n', first.start - 1) + 1, first.start));
  return {
    start: open,
    end,
    elements,
    tail: leading ? text.slice(leading.start, leading.end) : undefined,
    keyIndent,
    elementIndent: firstOnOwnLine ? lineIndent(text, first.start) : `${keyIndent}  `,
  };
}

/** A property's value when it is a literal list: its `[` token. */
function listOpen(prop: PropertyNode): Token | undefined {
  const first = prop.value[0];
  return isPunct(first, '[') && isPunct(prop.value.at(-1), ']') ? first : undefined;
}

export function literalListOf(text: string, prop: PropertyNode): LiteralList | NotLiteral {
  const open = listOpen(prop);
  if (!open) return { notLiteral: 'its value is an expression, not a literal list', offset: prop.value[0]?.start ?? prop.keyToken.start };
  return literalList(text, open.start, prop.keyToken.start);
}

/** The object literal that is the value of `prop`, if it is one. */
export function objectValue(objects: readonly ObjectNode[], prop: PropertyNode | undefined): ObjectNode | undefined {
  const first = prop?.value[0];
  if (!first || !isPunct(first, '{') || !isPunct(prop.value.at(-1), '}')) return undefined;
  return objects.find((o) => o.start === first.start);
}

/** Every `resource x 'Microsoft.VirtualMachineImages/imageTemplates@...'` the file declares, with its step lists. */
export function imageTemplatesOf(text: string): BicepImageTemplate[] {
  const structure = parseBicep(text);
  const { tokens, objects } = structure;
  const found: BicepImageTemplate[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind !== 'ident' || t.value !== 'resource' || (i > 0 && tokens[i - 1]?.kind !== 'newline')) continue;
    const symbol = tokens[i + 1];
    const type = literalOf(tokens[i + 2]);
    if (symbol?.kind !== 'ident' || !type || !IMAGE_TEMPLATE_TYPE.test(type)) continue;
    // The body: the outermost object literal of this declaration.
    const body = objects.filter((o) => o.declarationKeyword === 'resource' && o.declaration === symbol.value).sort((a, b) => a.start - b.start)[0];
    const loop = tokens.slice(i + 3, i + 8).some((k) => k.kind === 'ident' && k.value === 'for');
    const properties = loop ? undefined : objectValue(objects, body ? property(body, 'properties') : undefined);
    const customizeProp = properties ? property(properties, 'customize') : undefined;
    const validateProp = properties ? property(properties, 'validate') : undefined;
    const validateObject = objectValue(objects, validateProp);
    const inVMValidations = validateObject ? property(validateObject, 'inVMValidations') : undefined;
    found.push({
      symbol: symbol.value,
      name: body ? literalOf(property(body, 'name')?.value.length === 1 ? property(body, 'name')?.value[0] : undefined) : undefined,
      offset: t.start,
      properties,
      customize: customizeProp ? literalListOf(text, customizeProp) : undefined,
      validate: validateProp ? { prop: validateProp, object: validateObject } : undefined,
      inVMValidations: inVMValidations ? literalListOf(text, inVMValidations) : undefined,
    });
  }
  return found;
}
