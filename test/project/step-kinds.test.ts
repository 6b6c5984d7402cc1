import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STEP_KINDS, VALIDATION_KINDS } from '../../src/project/project-file.js';
import { ROOT } from '../helpers.js';

interface Schema {
  definitions: Record<string, unknown>;
  properties: { customize: { items: { anyOf: { $ref: string }[] } }; validate: { properties: { inVMValidations: { items: { anyOf: { $ref: string }[] } } } } };
}

/** The step kinds are stated in the shipped schema (what users' editors read) and in code: they must agree. */
describe('step kinds: the schema and the code name the same ones', () => {
  it('every kind has its schema definition, and customize and inVMValidations accept exactly the kinds the code does', async () => {
    const schema = JSON.parse(await readFile(join(ROOT, 'schema/aibgen.schema.json'), 'utf8')) as Schema;
    const kindsOf = (refs: { $ref: string }[]) => refs.map((r) => r.$ref.replace(/^#\/definitions\/(\w+)Step$/, '$1'));
    expect(Object.keys(schema.definitions).sort()).toEqual(STEP_KINDS.map((k) => `${k}Step`).sort());
    expect(kindsOf(schema.properties.customize.items.anyOf)).toEqual([...STEP_KINDS]);
    expect(kindsOf(schema.properties.validate.properties.inVMValidations.items.anyOf)).toEqual([...VALIDATION_KINDS]);
  });
});
