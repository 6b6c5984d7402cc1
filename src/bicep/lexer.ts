/**
 * A Bicep tokenizer, enough to find object literals and their properties without the Bicep
 * compiler: comments, single-quoted strings with escapes and `${...}` interpolation, '''
 * multi-line strings, identifiers, numbers, punctuation and newlines, each with its offsets.
 */

export type StringPart = { kind: 'text'; value: string } | { kind: 'expr'; text: string; start: number; end: number };

export type Token =
  | { kind: 'newline'; start: number; end: number }
  | { kind: 'comment'; start: number; end: number }
  | { kind: 'ident'; start: number; end: number; value: string }
  | { kind: 'number'; start: number; end: number }
  | { kind: 'string'; start: number; end: number; parts: StringPart[]; multiline: boolean }
  | { kind: 'punct'; start: number; end: number; value: string };

export class BicepSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", n: '\n', r: '\r', t: '\t', $: '$' };

/** Reads a '...' string starting at `start` (the quote); returns its parts and the offset after the closing quote. */
function readString(text: string, start: number): { parts: StringPart[]; end: number } {
  const parts: StringPart[] = [];
  let literal = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "'") {
      if (literal || parts.length === 0) parts.push({ kind: 'text', value: literal });
      return { parts, end: i + 1 };
    }
    if (c === '\n') break;
    if (c === '\\') {
      const next = text[i + 1] as string;
      if (next === 'u' && text[i + 2] === '{') {
        const close = text.indexOf('}', i + 3);
        const code = close === -1 ? NaN : Number.parseInt(text.slice(i + 3, close), 16);
        if (!Number.isFinite(code)) throw new BicepSyntaxError('invalid \\u{...} escape', i);
        literal += String.fromCodePoint(code);
        i = close + 1;
        continue;
      }
      const escaped = ESCAPES[next];
      if (escaped === undefined) throw new BicepSyntaxError(`invalid escape \\${next} in a string`, i);
      literal += escaped;
      i += 2;
      continue;
    }
    if (c === '$' && text[i + 1] === '{') {
      if (literal) parts.push({ kind: 'text', value: literal });
      literal = '';
      const exprStart = i + 2;
      const exprEnd = skipExpression(text, exprStart);
      parts.push({ kind: 'expr', text: text.slice(exprStart, exprEnd).trim(), start: exprStart, end: exprEnd });
      i = exprEnd + 1;
      continue;
    }
    literal += c;
    i++;
  }
  throw new BicepSyntaxError('unterminated string', start);
}

/** Offset of the `}` that closes an interpolation starting at `start`. */
function skipExpression(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === "'") {
      i = readString(text, i).end;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
    i++;
  }
  throw new BicepSyntaxError('unterminated ${ interpolation', start);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      tokens.push({ kind: 'newline', start: i, end: i + 2 });
      i += 2;
    } else if (c === '\n' || c === '\r') {
      tokens.push({ kind: 'newline', start: i, end: i + 1 });
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      let end = text.indexOf('\n', i);
      if (end === -1) end = text.length;
      if (text[end - 1] === '\r') end--;
      tokens.push({ kind: 'comment', start: i, end });
      i = end;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close === -1) throw new BicepSyntaxError('unterminated /* comment', i);
      tokens.push({ kind: 'comment', start: i, end: close + 2 });
      i = close + 2;
    } else if (text.startsWith("'''", i)) {
      const close = text.indexOf("'''", i + 3);
      if (close === -1) throw new BicepSyntaxError("unterminated ''' string", i);
      let end = close + 3;
      while (text[end] === "'") end++; // ''''x'''' ends at the last quote run
      // Bicep drops one line break right after the opening ''' (the value starts on the next line).
      const value = text.slice(i + 3, end - 3).replace(/^\r?\n/, '');
      tokens.push({ kind: 'string', start: i, end, parts: [{ kind: 'text', value }], multiline: true });
      i = end;
    } else if (c === "'") {
      const { parts, end } = readString(text, i);
      tokens.push({ kind: 'string', start: i, end, parts, multiline: false });
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /[A-Za-z_][A-Za-z0-9_]*/y;
      m.lastIndex = i;
      const word = (m.exec(text) as RegExpExecArray)[0];
      tokens.push({ kind: 'ident', start: i, end: i + word.length, value: word });
      i += word.length;
    } else if (/[0-9]/.test(c)) {
      const m = /[0-9]+(\.[0-9]+)?/y;
      m.lastIndex = i;
      const num = (m.exec(text) as RegExpExecArray)[0];
      tokens.push({ kind: 'number', start: i, end: i + num.length });
      i += num.length;
    } else {
      tokens.push({ kind: 'punct', start: i, end: i + 1, value: c });
      i++;
    }
  }
  return tokens;
}

/** The plain text of a string token without interpolation, else undefined. */
export function literalOf(token: Token | undefined): string | undefined {
  if (!token || token.kind !== 'string' || token.parts.some((p) => p.kind === 'expr')) return undefined;
  return token.parts.map((p) => (p.kind === 'text' ? p.value : '')).join('');
}
