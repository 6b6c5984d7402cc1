#!/usr/bin/env node
// Precompiles aibgen's JSON Schemas into standalone ajv validation code (dist/schemas/<name>.cjs), so
// the CLI does not compile them at every start (see src/util/ajv.ts). Run by `npm run build`, after tsc.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const Ajv = require('ajv').default;
const standaloneCode = require('ajv/dist/standalone').default;
const { AJV_OPTIONS, precompiledPath } = await import(join(root, 'dist/util/ajv.js'));
const { projectSchemaSet } = await import(join(root, 'dist/project/project-file.js'));
const { aibSchemaSet } = await import(join(root, 'dist/validate/schema-check.js'));
const { API_VERSIONS } = await import(join(root, 'dist/validate/spec.js'));

const sets = [['project', projectSchemaSet()], ...API_VERSIONS.map((version) => [`aib-${version}`, aibSchemaSet(version)])];
for (const [name, set] of sets) {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  for (const schema of set.schemas) ajv.addSchema(schema);
  const code = standaloneCode(ajv, set.exports);
  const path = precompiledPath(name).replace(join(root, 'src'), join(root, 'dist'));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
}
