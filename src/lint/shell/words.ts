import type { SyntaxNode } from './parse.js';

/** A word of a command as the shell sees it: its value when the script fixes it, else undefined. */
export interface Word {
  /** The value after quote removal, or undefined when part of it is computed at run time (an expansion). */
  value: string | undefined;
  /** Offset of the word's first character in the parsed text. */
  start: number;
  /** Where the value's characters begin in the text (past an opening quote), for locating text inside it. */
  valueStart: number;
  node: SyntaxNode;
}

/** Backslash escapes inside double quotes: only these characters lose their backslash. */
function unescapeDouble(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c));
}

function unescapeBare(text: string): string {
  return text.replace(/\\(\n|.)/g, (_, c: string) => (c === '\n' ? '' : c));
}

const ANSI_C: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** The literal value of a word node, or undefined when it holds an expansion or substitution. */
export function literalValue(node: SyntaxNode): string | undefined {
  switch (node.type) {
    case 'word':
    case 'number':
      return unescapeBare(node.text);
    case 'raw_string':
      return node.text.slice(1, -1);
    case 'ansi_c_string':
      return node.text.slice(2, -1).replace(/\\(.)/g, (_, c: string) => ANSI_C[c] ?? `\\${c}`);
    case 'string': {
      // Only string_content children (and the quotes): no $var, $(...) or `...`.
      if (node.namedChildren.some((child) => child?.type !== 'string_content')) return undefined;
      return unescapeDouble(node.text.slice(1, -1));
    }
    case 'concatenation': {
      let out = '';
      for (const child of node.children) {
        if (!child) return undefined;
        const part = literalValue(child);
        if (part === undefined) return undefined;
        out += part;
      }
      return out;
    }
    default:
      return undefined;
  }
}

export function wordOf(node: SyntaxNode): Word {
  const quoted = node.type === 'raw_string' || node.type === 'string';
  return { value: literalValue(node), start: node.startIndex, valueStart: node.startIndex + (quoted ? 1 : node.type === 'ansi_c_string' ? 2 : 0), node };
}

/**
 * The source text inside a quoted word, as the shell that receives it would read it (for `sh -c
 * '...'`): single quotes keep it as is; double quotes lose their escapes, and expansions stay as
 * text (the inner shell's own commands are what matter).
 */
export function innerSource(node: SyntaxNode): { text: string; start: number } | undefined {
  if (node.type === 'raw_string') return { text: node.text.slice(1, -1), start: node.startIndex + 1 };
  if (node.type === 'string') return { text: unescapeDouble(node.text.slice(1, -1)), start: node.startIndex + 1 };
  if (node.type === 'word') return { text: unescapeBare(node.text), start: node.startIndex };
  return undefined;
}
