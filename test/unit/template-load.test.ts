import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCustomizers, findImageTemplates, loadJsonDocument, parseJsonDocument } from '../../src/template/index.js';
import { ParseError } from '../../src/errors.js';
import { CORPUS, ROOT } from '../helpers.js';

describe('template loading', () => {
  it('finds both image templates of an ARM deployment, including one in a nested deployment, with pointers and lines', async () => {
    const doc = await loadJsonDocument(join(ROOT, 'test/fixtures/fill/two-templates.jsonc'));
    const templates = findImageTemplates(doc);
    expect(templates.map((t) => [t.name, t.form, t.pointer, t.apiVersion])).toEqual([
      ['linux-base', 'arm', '/resources/0', '2024-02-01'],
      ['windows-base', 'arm', '/resources/1/properties/template/resources/0', '2022-07-01'],
    ]);
    const customizers = findCustomizers(doc, templates);
    expect(customizers.map((c) => `${c.template?.name}/${c.label}@${doc.lines.position(c.node.offset).line}`)).toEqual([
      'linux-base/install@14',
      'linux-base/tune@19',
      'linux-base/inline-step@25',
      'linux-base/from-param@26',
      'linux-base/motd@28',
      'linux-base/smoke@32',
      'windows-base/setup@59',
      'windows-base/customize[1]@65',
      'windows-base/placeholder@66',
      'windows-base/elsewhere@67',
    ]);
    expect(customizers.find((c) => c.name === 'smoke')?.list).toBe('inVMValidations');
  });

  it('reads a bare body without type or apiVersion and names it after the file', () => {
    const doc = parseJsonDocument(
      'dir/my-image.json',
      '{ "location": "x", "properties": { "source": {}, "customize": [ { "type": "Shell", "inline": ["a"] } ] } }',
    );
    const [template] = findImageTemplates(doc);
    expect(template).toMatchObject({ name: 'my-image', form: 'bare', pointer: '', apiVersion: undefined });
    expect(findCustomizers(doc).map((c) => c.pointer)).toEqual(['/properties/customize/0']);
  });

  it('reads the request body of a REST API example and ignores its response bodies', async () => {
    const file = join(
      CORPUS,
      'Azure__azure-rest-api-specs/specification__imagebuilder__resource-manager__Microsoft.VirtualMachineImages__ImageBuilder__stable__2024-02-01__examples__CreateImageTemplateWindows.json',
    );
    const doc = await loadJsonDocument(file);
    const templates = findImageTemplates(doc);
    expect(templates).toHaveLength(1);
    expect(templates[0]?.form).toBe('rest-example');
    expect(templates[0]?.apiVersion).toBe('2024-02-01');
    expect(findCustomizers(doc).every((c) => c.pointer.startsWith('/parameters/'))).toBe(true);
  });

  it('reports a parse error at the right line and column of a CRLF file with comments', () => {
    const text = '// header\r\n{\r\n  /* c */ "a": 1,\r\n  "b": [1, 2,, 3]\r\n}\r\n';
    try {
      parseJsonDocument('t.json', text);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).message).toMatch(/^t\.json:4:14: expected a value/);
    }
  });

  it('accepts a UTF-8 BOM and keeps offsets relative to the text after it', () => {
    const doc = parseJsonDocument('t.json', '\uFEFF{"properties": {"customize": []}}');
    expect(doc.bom).toBe(true);
    expect(doc.text.startsWith('{')).toBe(true);
    expect(findImageTemplates(doc)).toHaveLength(1);
  });
});
