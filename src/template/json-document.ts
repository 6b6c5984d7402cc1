import { readFile, stat } from 'node:fs/promises';
import { parseTree, printParseErrorCode, type Node, type ParseError as JsoncParseError } from 'jsonc-parser';
import { cannotRead, InputError, LimitError, ParseError } from '../errors.js';
import { LineIndex } from '../util/text-position.js';
import { escapePointer, joinPointer } from '../util/json-pointer.js';

/**
 * A JSON (with comments and trailing commas, as ARM tooling accepts) document kept with its
 * exact text, so that edits can touch only the bytes they mean to.
 */
export interface JsonDocument {
  file: string;
  /** The text without a UTF-8 byte order mark; node offsets index into it. */
  text: string;
  /** Whether the file started with a byte order mark (written back unchanged). */
  bom: boolean;
  root: Node;
  lines: LineIndex;
  /** JSON.stringify of a result that holds a document (a build result) gives its file name: the tree links back to its parents. */
  toJSON(): { file: string };
}

const BOM = '\uFEFF';

const EXPECTATIONS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value (a string, number, object, array, true, false or null); placeholders like <name> must be quoted',
  ColonExpected: 'expected ":" after the property name',
  CommaExpected: 'expected "," between values',
  CloseBraceExpected: 'expected "}" to close the object',
  CloseBracketExpected: 'expected "]" to close the array',
  EndOfFileExpected: 'expected the end of the file after the top-level value',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: 'unterminated /* comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape in a string',
  InvalidEscapeCharacter: 'invalid escape in a string (write a backslash as \\\\)',
  InvalidCharacter: 'invalid character in a string (control characters must be escaped)',
};

/** "expected a value ..." for a jsonc-parser error code name. */
export function describeJsonError(code: string): string {
  return EXPECTATIONS[code] ?? code;
}

export function parseJsonDocument(file: string, raw: string): JsonDocument {
  const bom = raw.startsWith(BOM);
  const text = bom ? raw.slice(1) : raw;
  const lines = new LineIndex(text);
  const deep = tooDeep(text);
  if (deep !== -1) {
    const { line, column } = lines.position(deep);
    throw new LimitError(
      `${file}:${line}:${column}: objects and arrays are nested more than ${MAX_JSON_DEPTH} deep here; aibgen refuses such input (no real template comes close)`,
    );
  }
  const errors: JsoncParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  if (first || !root) {
    const offset = first?.offset ?? 0;
    const { line, column } = lines.position(offset);
    const code = first ? printParseErrorCode(first.error) : 'ValueExpected';
    const found = text.slice(offset, offset + 12).split(/\r?\n/)[0] ?? '';
    const at = found ? ` at ${JSON.stringify(found)}` : ' at the end of the file';
    throw new ParseError(file, line, column, `${EXPECTATIONS[code] ?? code}${at} (not valid JSON, even allowing comments and trailing commas)`);
  }
  return { file, text, bom, root, lines, toJSON: () => ({ file }) };
}

/** Largest template (JSON or Bicep) read: far above any real one, and well inside Node's default heap. */
export const MAX_TEMPLATE_BYTES = 64 * 1024 * 1024;
/** Deepest nesting of objects and arrays accepted (real templates stay under 20). */
export const MAX_JSON_DEPTH = 256;

/** Reads a template's text, refusing what is not a regular file or is over MAX_TEMPLATE_BYTES. */
export async function readTemplateText(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new InputError(`cannot read ${file}: ${info.isDirectory() ? 'it is a folder' : 'it is not a regular file'}`);
    if (info.size > MAX_TEMPLATE_BYTES) {
      throw new LimitError(`${file} is ${info.size} bytes, over the ${MAX_TEMPLATE_BYTES}-byte (64 MiB) limit for templates`, [
        'a template this large is not something AIB accepts; check that the right file was given',
      ]);
    }
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof InputError || error instanceof LimitError) throw error;
    throw cannotRead(`cannot read ${file}`, error);
  }
}

/** The offset of the first bracket nested deeper than `limit`, skipping strings and comments; -1 when none. */
export function tooDeep(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return i;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return -1;
}

export async function loadJsonDocument(file: string): Promise<JsonDocument> {
  return parseJsonDocument(file, await readTemplateText(file));
}

const arrayIndexes = new WeakMap<Node, Map<Node, number>>();

/** The position of `child` in an array node, in constant time after the first lookup. */
export function indexInArray(array: Node, child: Node): number {
  let indexes = arrayIndexes.get(array);
  if (!indexes) {
    indexes = new Map((array.children ?? []).map((c, i) => [c, i]));
    arrayIndexes.set(array, indexes);
  }
  return indexes.get(child) ?? 0;
}

/** RFC 6901 pointer of a node. */
export function pointerOf(node: Node): string {
  const parts: string[] = [];
  let current: Node | undefined = node;
  while (current?.parent) {
    const parent: Node = current.parent;
    if (parent.type === 'property') {
      const key = parent.children?.[0]?.value as string;
      parts.unshift(escapePointer(key));
      current = parent.parent;
    } else if (parent.type === 'array') {
      parts.unshift(String(indexInArray(parent, current)));
      current = parent;
    } else {
      current = parent;
    }
  }
  return parts.length === 0 ? '' : `/${parts.join('/')}`;
}

export { escapePointer, joinPointer };

/** The property node (key + value) named `key` of an object node. */
export function propertyNode(object: Node | undefined, key: string): Node | undefined {
  if (object?.type !== 'object') return undefined;
  return object.children?.find((p) => p.children?.[0]?.value === key);
}

export function valueNode(object: Node | undefined, key: string): Node | undefined {
  return propertyNode(object, key)?.children?.[1];
}

export function stringValue(object: Node | undefined, key: string): string | undefined {
  const node = valueNode(object, key);
  return node?.type === 'string' ? (node.value as string) : undefined;
}

export function properties(object: Node | undefined): Node[] {
  return object?.type === 'object' ? (object.children ?? []) : [];
}

export function keyOf(property: Node): string {
  return property.children?.[0]?.value as string;
}
