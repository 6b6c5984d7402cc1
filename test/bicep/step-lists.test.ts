import { describe, expect, it } from 'vitest';
import { imageTemplatesOf, type LiteralList } from '../../src/bicep/step-lists.js';

const template = (customize: string, extra = '') => `resource it 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'img'
  properties: {
    customize: ${customize}${extra}
  }
}
`;

const list = (text: string): LiteralList => {
  const [found] = imageTemplatesOf(text);
  const customize = found?.customize;
  if (!customize || 'notLiteral' in customize) throw new Error('not a literal list');
  return customize;
};

describe('the literal step lists of a .bicep', () => {
  it('elements keep the comments before them and their own trailing comment; comments after the last are the tail', () => {
    const text = template(`[
      // first
      { name: 'a' } // same line
      /* second */
      {
        name: 'b'
      }
      // the end
    ]`);
    const found = list(text);
    expect(found.elements.map((e) => e.text)).toEqual(["// first\n      { name: 'a' } // same line", "/* second */\n      {\n        name: 'b'\n      }"]);
    expect(text.slice(found.elements[0]!.valueStart).startsWith("{ name: 'a' }")).toBe(true);
    expect(found.tail).toBe('// the end');
    expect(found.keyIndent).toBe('    ');
    expect(found.elementIndent).toBe('      ');
    expect(text.slice(found.start, found.end)).toMatch(/^\[[\s\S]*\]$/);
  });

  it('commas separate elements on one line; an empty list has none', () => {
    expect(list(template("[ { name: 'a' }, { name: 'b', inline: [ 'x', 'y' ] } ]")).elements.map((e) => e.text)).toEqual([
      "{ name: 'a' }",
      "{ name: 'b', inline: [ 'x', 'y' ] }",
    ]);
    expect(list(template('[]')).elements).toEqual([]);
  });

  it('a for expression, a spread or an expression is not a literal list, said with where', () => {
    const [loop] = imageTemplatesOf(template('[for s in steps: { name: s }]'));
    expect(loop?.customize).toMatchObject({ notLiteral: expect.stringContaining('for expression') });
    const [spread] = imageTemplatesOf(template("[\n      ...base\n      { name: 'a' }\n    ]"));
    expect(spread?.customize).toMatchObject({ notLiteral: expect.stringContaining('spread') });
    const [expression] = imageTemplatesOf(template('steps'));
    expect(expression?.customize).toMatchObject({ notLiteral: expect.stringContaining('expression') });
  });

  it('finds validate.inVMValidations, and only image template resources', () => {
    const text = `resource other 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n  name: 'x'\n  properties: { customize: [] }\n}\n${template('[]', "\n    validate: {\n      inVMValidations: [ { name: 'v' } ]\n    }")}`;
    const found = imageTemplatesOf(text);
    expect(found.map((f) => f.symbol)).toEqual(['it']);
    expect(found[0]?.name).toBe('img');
    const validations = found[0]?.inVMValidations as LiteralList;
    expect(validations.elements.map((e) => e.text)).toEqual(["{ name: 'v' }"]);
  });
});
