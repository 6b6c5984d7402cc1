/**
 * The text format of GNU sha256sum, byte for byte (coreutils 9):
 *   <64 hex><space><space or *><name>
 * A name holding a backslash, newline or carriage return is escaped (\\, \n, \r) and the line
 * starts with a backslash. `--check` also reads the BSD tagged form `SHA256 (name) = hex`.
 */

const NEEDS_ESCAPE = /[\\\n\r]/;

export function escapeName(name: string): string {
  return name.replace(/[\\\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : '\\r'));
}

export function formatSumLine(sha256: string, name: string): string {
  return NEEDS_ESCAPE.test(name) ? `\\${sha256}  ${escapeName(name)}` : `${sha256}  ${name}`;
}

/** How sha256sum --check prints a name in its OK/FAILED lines: escaped only when it holds a newline. */
export function formatCheckName(name: string): string {
  return name.includes('\n') ? `\\${escapeName(name)}` : name;
}

/** The bytes of a name, for output that must reproduce it exactly (names need not be UTF-8). */
export function nameBytes(name: string | Buffer): Buffer {
  return typeof name === 'string' ? Buffer.from(name, 'utf8') : name;
}

/** `formatSumLine` on the exact bytes of a name. */
export function formatSumLineBytes(sha256: string, name: string | Buffer): Buffer {
  return Buffer.from(formatSumLine(sha256, nameBytes(name).toString('latin1')), 'latin1');
}

/** `formatCheckName` on the exact bytes of a name. */
export function formatCheckNameBytes(name: Buffer): Buffer {
  return Buffer.from(formatCheckName(name.toString('latin1')), 'latin1');
}

export interface SumsEntry {
  line: number;
  name: string;
  sha256: string;
}

export interface ParsedSums {
  entries: SumsEntry[];
  /** Line numbers that are not in any known format. */
  malformed: number[];
}

function unescapeName(escaped: string): string | undefined {
  let out = '';
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = escaped[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === 'r') out += '\r';
    else return undefined;
  }
  return out;
}

const PLAIN = /^([0-9a-fA-F]{64}) [ *](.+)$/s;
const TAGGED = /^SHA256 \((.+)\) = ([0-9a-fA-F]{64})$/s;

export function parseSums(text: string): ParsedSums {
  const entries: SumsEntry[] = [];
  const malformed: number[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.startsWith('#')) return;
    const escaped = line.startsWith('\\');
    if (escaped) line = line.slice(1);
    const plain = PLAIN.exec(line);
    const tagged = plain ? null : TAGGED.exec(line);
    const rawName = plain ? plain[2] : tagged?.[1];
    const sha = plain ? plain[1] : tagged?.[2];
    if (rawName === undefined || sha === undefined) {
      malformed.push(lineNumber);
      return;
    }
    const name = escaped ? unescapeName(rawName) : rawName;
    if (name === undefined) {
      malformed.push(lineNumber);
      return;
    }
    entries.push({ line: lineNumber, name, sha256: sha.toLowerCase() });
  });
  return { entries, malformed };
}
