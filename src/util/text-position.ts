/** Maps string offsets to 1-based line and column numbers (columns count UTF-16 code units, as editors do). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (this.starts[low] as number) + 1 };
  }

  lineStart(line: number): number {
    return this.starts[line - 1] ?? 0;
  }
}

/** The end-of-line sequence a file mostly uses. */
export function detectEol(text: string): '\r\n' | '\n' {
  const lf = (text.match(/\n/g) ?? []).length;
  const crlf = (text.match(/\r\n/g) ?? []).length;
  return crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n';
}

/** The end-of-line sequence of the line holding `offset`, falling back to the file's. */
export function eolAt(text: string, offset: number): '\r\n' | '\n' {
  const nl = text.indexOf('\n', offset);
  if (nl === -1) return detectEol(text);
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

export interface TextEdit {
  offset: number;
  length: number;
  text: string;
}

/** Applies non-overlapping edits (any order) and returns the new text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.offset - b.offset);
  let out = '';
  let last = 0;
  for (const edit of sorted) {
    if (edit.offset < last) throw new Error(`overlapping edits at offset ${edit.offset}`);
    out += text.slice(last, edit.offset) + edit.text;
    last = edit.offset + edit.length;
  }
  return out + text.slice(last);
}

/**
 * What follows a value on its line: an optional comma and `//` comment. `end` is where a new line
 * may be inserted (before the line ending) when `atLineEnd`; otherwise the value shares its line.
 */
export function restOfLine(text: string, valueEnd: number): { end: number; comma: boolean; atLineEnd: boolean } {
  let i = valueEnd;
  while (text[i] === ' ' || text[i] === '\t') i++;
  const comma = text[i] === ',';
  if (comma) {
    i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
  }
  if (text.startsWith('//', i)) {
    const nl = text.indexOf('\n', i);
    i = nl === -1 ? text.length : nl;
    if (text[i - 1] === '\r') i--;
  }
  return { end: i, comma, atLineEnd: i >= text.length || text[i] === '\n' || text[i] === '\r' };
}

/** The whitespace before `offset` on its line, or undefined when something else comes first. */
export function ownLineIndent(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** A place in a file, as data; `formatPosition` gives the `file:line:column` people read. */
export interface SourcePosition {
  file: string;
  /** 1-based; absent when only the file is known. */
  line?: number;
  column?: number;
}

export function formatPosition(position: SourcePosition): string {
  return position.line === undefined ? position.file : `${position.file}:${position.line}:${position.column ?? 1}`;
}
