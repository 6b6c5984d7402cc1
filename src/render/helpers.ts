import type { HelperOptions } from 'handlebars';
import { AibgenError } from '../errors.js';
import { psQuote, shQuoteAlways } from '../util/quote.js';

/**
 * The helpers templates may use. Quoting helpers are how values reach a shell: `{{sh x}}` is one
 * POSIX word and `{{ps x}}` one PowerShell string literal, whatever x holds.
 */

function helperError(name: string, message: string, options: HelperOptions | undefined): AibgenError {
  const loc = (options as unknown as { loc?: { start: { line: number; column: number } } } | undefined)?.loc;
  const where = loc ? ` (line ${loc.start.line}, column ${loc.start.column + 1})` : '';
  return new AibgenError('E_RENDER', `{{${name}}}${where}: ${message}`);
}

function scalar(name: string, value: unknown, options?: HelperOptions): string {
  if (value === null || value === undefined) throw helperError(name, `the value is ${value === null ? 'null' : 'undefined'}`, options);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw helperError(name, `expects a string, number or boolean (or a list of them), got ${Array.isArray(value) ? 'a list' : 'an object'}`, options);
}

function shWord(value: unknown, options?: HelperOptions): string {
  const text = scalar('sh', value, options);
  if (text.includes('\0')) throw helperError('sh', 'the value holds a NUL byte, which no shell argument can carry', options);
  return shQuoteAlways(text);
}

/** Handlebars passes its options object last; this strips it. */
function args(list: unknown[]): { values: unknown[]; options: HelperOptions } {
  return { values: list.slice(0, -1), options: list.at(-1) as HelperOptions };
}

export const HELPERS: Record<string, (...list: unknown[]) => unknown> = {
  sh(...list) {
    const { values, options } = args(list);
    const [value] = values;
    return Array.isArray(value) ? value.map((v) => shWord(v, options)).join(' ') : shWord(value, options);
  },
  ps(...list) {
    const { values, options } = args(list);
    const [value] = values;
    return Array.isArray(value) ? value.map((v) => psQuote(scalar('ps', v, options))).join(',') : psQuote(scalar('ps', value, options));
  },
  json(...list) {
    const { values } = args(list);
    const [value, indent] = values;
    return JSON.stringify(value, null, typeof indent === 'number' ? indent : undefined) ?? 'null';
  },
  base64(...list) {
    const { values, options } = args(list);
    return Buffer.from(scalar('base64', values[0], options), 'utf8').toString('base64');
  },
  join(...list) {
    const { values, options } = args(list);
    const [value, separator] = values;
    if (!Array.isArray(value)) throw helperError('join', 'expects a list', options);
    return value.map((v) => scalar('join', v, options)).join(typeof separator === 'string' ? separator : ' ');
  },
  default(...list) {
    const { values } = args(list);
    const [value, fallback] = values;
    return value === undefined || value === null ? fallback : value;
  },
  eq(...list) {
    const { values } = args(list);
    return values[0] === values[1];
  },
  ne(...list) {
    const { values } = args(list);
    return values[0] !== values[1];
  },
  lower(...list) {
    const { values, options } = args(list);
    return scalar('lower', values[0], options).toLowerCase();
  },
  upper(...list) {
    const { values, options } = args(list);
    return scalar('upper', values[0], options).toUpperCase();
  },
};

/** Built-in block helpers handled by the strictness analysis (their arguments are ordinary uses). */
export const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
