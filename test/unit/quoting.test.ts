import { describe, expect, it } from 'vitest';
import { HELPERS } from '../../src/render/index.js';
import { psQuote, shQuoteAlways } from '../../src/util/quote.js';

const options = { loc: { start: { line: 1, column: 0 } } };

describe('PowerShell quoting ({{ps x}})', () => {
  it('wraps in single quotes, where nothing expands', () => {
    expect(psQuote('$env:PATH `n $(Get-Date) @x "q"')).toBe(`'$env:PATH \`n $(Get-Date) @x "q"'`);
  });
  it('doubles single quotes, including the typographic ones PowerShell also treats as quotes', () => {
    expect(psQuote("it's")).toBe("'it''s'");
    expect(psQuote('it\u2019s \u2018x\u2019 \u201Ay\u201B')).toBe("'it\u2019\u2019s \u2018\u2018x\u2019\u2019 \u201A\u201Ay\u201B\u201B'");
    expect(psQuote("''")).toBe("''''''");
  });
  it('keeps newlines, tabs and non-ASCII inside the literal', () => {
    expect(psQuote('a\r\nb\tc ü')).toBe("'a\r\nb\tc ü'");
  });
  it('the helper makes lists into comma-separated literals and refuses null', () => {
    expect(HELPERS.ps?.(['a', "b'c"], options)).toBe("'a','b''c'");
    expect(HELPERS.ps?.(42, options)).toBe("'42'");
    expect(() => HELPERS.ps?.(null, options)).toThrow(/the value is null/);
  });
});

describe('POSIX quoting ({{sh x}})', () => {
  it("writes ' as '\\''", () => {
    expect(shQuoteAlways("it's")).toBe("'it'\\''s'");
    expect(shQuoteAlways('')).toBe("''");
  });
  it('refuses NUL, which no argument can carry', () => {
    expect(() => HELPERS.sh?.('a\0b', options)).toThrow(/NUL/);
  });
  it('other helpers', () => {
    expect(HELPERS.base64?.('é', options)).toBe('w6k=');
    expect(HELPERS.join?.(['a', 'b'], '-', options)).toBe('a-b');
    expect(HELPERS.json?.({ a: [1] }, options)).toBe('{"a":[1]}');
    expect(HELPERS.upper?.('x', options)).toBe('X');
    expect(HELPERS.eq?.('a', 'a', options)).toBe(true);
    expect(HELPERS.ne?.('a', 'a', options)).toBe(false);
    expect(HELPERS.default?.(undefined, 'd', options)).toBe('d');
    expect(HELPERS.default?.('', 'd', options)).toBe('');
  });
});
