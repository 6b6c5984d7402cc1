/**
 * Quoting for the two shells AIB runs: values become exactly one word / one string literal,
 * whatever bytes they hold. These are the only ways rendered scripts and generated inline
 * commands quote anything.
 */

/** One POSIX shell word: single quotes, with each ' written as '\'' . Safe for $(), `, ;, newlines. */
export function shQuote(value: string): string {
  if (value === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Always-quoted variant, for places where a bare word would read oddly (`mkdir -p '/opt/x'`). */
export function shQuoteAlways(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * One PowerShell single-quoted string. Inside '...' nothing is expanded; the only special
 * characters are the single quotes, and PowerShell treats the typographic ones (U+2018, U+2019,
 * U+201A, U+201B) as single quotes too, so each is doubled.
 */
export function psQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}
