#!/usr/bin/env node
/* global process, console */
// Generates schema/aib/<apiVersion>.json, the compact schemas `aibgen validate` checks templates
// against, from the official ARM deployment schemas (Azure/azure-resource-manager-schemas, MIT),
// committed in test/fixtures/aib-schemas/ (see SOURCES.md there for commits and blob ids;
// scripts/refresh-corpus.sh copies them anew from ../shared/reference/aib-schemas).
//
// What changes, and why:
//  - descriptions are dropped (size); the external ARM `expression` definition becomes a local one
//    (a string that is an ARM expression, "[...]" or "[[...]", or holds a <placeholder>), so the schema needs no
//    network and expressions are never judged as literals;
//  - the published files close the shared base of every discriminated type (customizers, validators,
//    sources, distributors, versioners, triggers) with additionalProperties: false over only its
//    own properties (name/type), which rejects valid steps taken literally ({"type":"Shell",
//    "inline":[...]}). Here each type is closed over its own properties plus the base ones instead,
//    selected by its discriminator (`type`, `scheme` for versioners, `kind` for triggers) with if/then;
//  - every other object with declared properties is closed (additionalProperties: false), so unknown
//    keys are found at every depth; maps (tags, userAssignedIdentities) stay open as declared;
//  - the resource envelope also admits what an ARM deployment adds to any resource (dependsOn,
//    condition, copy, comments, metadata, scope).
// Usage: node scripts/generate-validate-schemas.mjs [source-dir] [out-dir]   (default: test/fixtures/aib-schemas, schema/aib)
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = resolve(process.argv[2] ?? join(root, 'test', 'fixtures', 'aib-schemas'));
const out = resolve(process.argv[3] ?? join(root, 'schema', 'aib'));
const EXPRESSION = 'https://schema.management.azure.com/schemas/common/definitions.json#/definitions/expression';
const ARM_RESOURCE_KEYS = ['dependsOn', 'condition', 'copy', 'comments', 'metadata', 'scope'];

function clean(node) {
  if (Array.isArray(node)) return node.map(clean);
  if (node === null || typeof node !== 'object') return node;
  const copy = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description') continue;
    if (key === '$ref' && value === EXPRESSION) {
      copy.$ref = '#/definitions/expression';
      continue;
    }
    copy[key] = clean(value);
  }
  return copy;
}

/**
 * A discriminated base: allOf [ closed base, { oneOf: [ allOf [ $ref Derived, { <key>: const } ] ] } ],
 * where the key is `type` for most, `scheme` for versioners and `kind` for triggers.
 */
function discriminated(definition) {
  const [base, choice] = definition.allOf ?? [];
  if (!base || base.additionalProperties !== false || !choice?.oneOf) return undefined;
  let key;
  const branches = choice.oneOf.map((branch) => {
    const [ref, tag] = branch.allOf ?? [];
    const [name, value] = Object.entries(tag?.properties ?? {})[0] ?? [];
    key ??= name;
    return { ref: ref?.$ref, value: name === key ? value?.const : undefined };
  });
  if (!key || branches.some((b) => !b.ref || b.value === undefined)) return undefined;
  return { base, branches, key };
}

function close(definition) {
  if (definition && typeof definition === 'object' && definition.properties && definition.additionalProperties === undefined && !definition.allOf) {
    return { ...definition, additionalProperties: false };
  }
  return definition;
}

function generate(file) {
  const raw = JSON.parse(readFileSync(join(source, file), 'utf8'));
  const version = file.replace(/^arm-schema-/, '').replace(/\.json$/, '');
  const definitions = clean(raw.definitions);
  const result = {};
  const closedVariants = {};
  for (const [name, definition] of Object.entries(definitions)) {
    const split = discriminated(definition);
    if (!split) continue;
    const baseProperties = split.base.properties ?? {};
    for (const { ref } of split.branches) {
      const derivedName = ref.replace('#/definitions/', '');
      const derived = definitions[derivedName];
      closedVariants[`${derivedName}__closed`] = { ...derived, properties: { ...baseProperties, ...derived.properties }, additionalProperties: false };
    }
    const key = split.key;
    const keySchema = baseProperties[key] ? { anyOf: [baseProperties[key], { $ref: '#/definitions/expression' }] } : undefined;
    result[name] = {
      type: 'object',
      ...(split.base.required ? { required: split.base.required } : {}),
      ...(keySchema ? { properties: { [key]: keySchema } } : {}),
      allOf: split.branches.map(({ ref, value }) => ({
        if: { properties: { [key]: { const: value } }, required: [key] },
        then: { $ref: `${ref}__closed` },
      })),
    };
  }
  for (const [name, definition] of Object.entries(definitions)) if (!result[name]) result[name] = close(definition);
  Object.assign(result, closedVariants);
  // "[...]" is an expression; "[[...]" one escaped for a later deployment (still not a literal here).
  result.expression = { type: 'string', pattern: '^\\s*\\[[\\s\\S]*\\]\\s*$|<[^<>]+>' };
  const resource = clean(raw.resourceDefinitions.imageTemplates);
  const envelope = { ...resource, properties: { ...resource.properties }, additionalProperties: false };
  for (const key of ARM_RESOURCE_KEYS) envelope.properties[key] = {};
  return {
    version,
    schema: {
      $comment: `Generated by scripts/generate-validate-schemas.mjs from ${file} (Azure/azure-resource-manager-schemas, MIT); do not edit.`,
      $id: `aibgen-aib-${version}`,
      definitions: { ...result, imageTemplates: envelope },
      $ref: '#/definitions/imageTemplates',
    },
  };
}

mkdirSync(out, { recursive: true });
const files = readdirSync(source)
  .filter((f) => /^arm-schema-.+\.json$/.test(f))
  .sort();
for (const file of files) {
  const { version, schema } = generate(file);
  writeFileSync(join(out, `${version}.json`), `${JSON.stringify(schema)}\n`);
  console.log(join(out, `${version}.json`));
}
