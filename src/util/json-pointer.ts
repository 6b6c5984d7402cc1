/** RFC 6901 JSON Pointers: the one place their escaping is spelled out. */

/** One reference token: `~` becomes `~0`, `/` becomes `~1`. */
export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `base` followed by the segments, each escaped. */
export function joinPointer(base: string, ...segments: (string | number)[]): string {
  return base + segments.map((s) => `/${escapePointer(s)}`).join('');
}

/** The reference tokens of a pointer, unescaped (`~1` before `~0`, as RFC 6901 says). */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The tokens with array indexes as numbers, the form jsonc-parser's findNodeAtLocation takes. An index
 * has no leading zero (RFC 6901), so a key such as "01" stays a string.
 */
export function parsePointer(pointer: string): (string | number)[] {
  return pointerTokens(pointer).map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}
