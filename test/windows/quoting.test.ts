import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { renderText } from '../../src/render/index.js';
import { itWith } from '../helpers.js';
import { runPwsh } from './pwsh.js';

/** Characters that matter to PowerShell's parser, mixed with anything else (no NUL, no lone surrogates). */
const special = fc.constantFrom(
  "'",
  '\u2018',
  '\u2019',
  '\u201A',
  '\u201B',
  '"',
  '\u201C',
  '\u201D',
  '$',
  '$(',
  '`',
  '@(',
  '@"',
  "@'",
  '\n',
  '\r',
  '\r\n',
  '#',
  ';',
  '|',
  '&',
  '{',
  '}',
  '\t',
  '\u0001',
  '\u001b',
  '\u007f',
  '😀',
  '𝄞',
  'é',
  '\u00a0',
  '\u2028',
);
const piece = fc.oneof(special, fc.string({ unit: 'grapheme', maxLength: 4 }), fc.string({ maxLength: 4 }));
const value = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('').replace(/\0/g, ''));

describe('the ps quoting helper, proven by a real PowerShell', () => {
  itWith('pwsh')('a rendered [Console]::Out.Write({{ps v}}) prints exactly v, for any string', { timeout: 120_000 }, async () => {
    const values = [...fc.sample(value, { numRuns: 600, seed: 20261127 }), "it's", '\u2018q\u2019', '$(Get-Date)', '`n', "''", '', "'\r\n'"];
    // One template, one pwsh process: each value, then a NUL as a separator (values hold none).
    const template = '$ErrorActionPreference = "Stop"\n{{#each values}}[Console]::Out.Write({{ps this}}); [Console]::Out.Write([char]0)\n{{/each}}';
    const rendered = await renderText(template, 'quoting.ps1.hbs', { vars: { values }, outputName: 'quoting.ps1' });
    const result = await runPwsh(rendered.bytes.toString('utf8').replace(/^\uFEFF/, ''));
    expect(result.stderr).toBe('');
    const printed = result.stdout.split('\0');
    expect(printed.pop()).toBe('');
    expect(printed).toHaveLength(values.length);
    printed.forEach((p, i) => expect(p, JSON.stringify(values[i])).toBe(values[i]));
  });
});
