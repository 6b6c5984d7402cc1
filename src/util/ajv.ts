import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Options, ValidateFunction } from 'ajv';

/**
 * JSON Schema validation with ajv, precompiled. Compiling the schemas at every start cost about a
 * quarter of a second (measured: `validate` of a small template 0.44 s against 0.18 s without), so
 * `npm run build` turns each schema set into standalone validation code (scripts/compile-schemas.mjs,
 * dist/schemas/<name>.cjs) and the CLI only loads it. Running from sources (tests), the schemas are
 * compiled on first use instead: same options, same results.
 */

export const AJV_OPTIONS: Options = { allErrors: true, strict: false, verbose: true };

/** Schemas to add (each with its $id) and the validators to export, by name, as schema references. */
export interface SchemaSet {
  schemas: object[];
  exports: Record<string, string>;
}

const require = createRequire(import.meta.url);
const loaded = new Map<string, Record<string, ValidateFunction>>();

export function precompiledPath(name: string): string {
  return fileURLToPath(new URL(`../schemas/${name}.cjs`, import.meta.url));
}

export function loadSchemaSet(name: string, set: () => SchemaSet): Record<string, ValidateFunction> {
  const known = loaded.get(name);
  if (known) return known;
  const path = precompiledPath(name);
  let validators: Record<string, ValidateFunction>;
  if (existsSync(path)) {
    validators = require(path) as Record<string, ValidateFunction>;
  } else {
    // ajv is CommonJS and large: loaded only when no precompiled code is there.
    const AjvClass = require('ajv') as typeof import('ajv').default;
    const ajv = new AjvClass(AJV_OPTIONS);
    const { schemas, exports } = set();
    for (const schema of schemas) ajv.addSchema(schema);
    validators = Object.fromEntries(Object.entries(exports).map(([key, ref]) => [key, ajv.getSchema(ref) as ValidateFunction]));
  }
  loaded.set(name, validators);
  return validators;
}
