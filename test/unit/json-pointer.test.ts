import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapePointer, joinPointer, parsePointer, pointerTokens } from '../../src/util/json-pointer.js';

describe('JSON Pointer (RFC 6901)', () => {
  it('escapes ~ before / and unescapes ~1 before ~0, so "~01" is the key "~1"', () => {
    expect(escapePointer('a/b~c')).toBe('a~1b~0c');
    expect(joinPointer('/properties', 'customize', 0, 'x/y')).toBe('/properties/customize/0/x~1y');
    expect(pointerTokens('/~01')).toEqual(['~1']);
    expect(pointerTokens('')).toEqual([]);
    expect(pointerTokens('/')).toEqual(['']);
  });

  it('array indexes become numbers, a key with a leading zero stays a key', () => {
    expect(parsePointer('/customize/0/name')).toEqual(['customize', 0, 'name']);
    expect(parsePointer('/tags/01')).toEqual(['tags', '01']);
  });

  it('round-trips any keys', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (keys) => {
        expect(pointerTokens(joinPointer('', ...keys))).toEqual(keys);
      }),
    );
  });
});
