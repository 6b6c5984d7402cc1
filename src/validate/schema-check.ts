import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { loadSchemaSet, type SchemaSet } from '../util/ajv.js';
import { findNodeAtLocation, getNodeValue, type Node } from 'jsonc-parser';
import type { Finding } from '../findings/index.js';
import { type ImageTemplateRef } from '../template/index.js';
import { closest, describeType, type Checker } from './checker.js';
import type { RuleId, RuleVariant } from './rules.js';
import type { ApiVersion } from './spec.js';
import { escapePointer, parsePointer } from '../util/json-pointer.js';

/**
 * Schema-complete checking: every image template is checked against the official ARM schema of
 * its API version (schema/aib/<version>.json, generated from Microsoft's files by
 * scripts/generate-validate-schemas.mjs, each discriminated type closed over its own properties),
 * with ajv. Each schema error becomes a finding with a rule id, the pointer, line and column, and a
 * plain message. What the hand-written rules already said at the same place is not repeated.
 */

function schemaDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema', 'aib');
}

/** The schema of one API version (schema/aib/<version>.json), for ajv. */
export function aibSchemaSet(version: ApiVersion): SchemaSet {
  return { schemas: [JSON.parse(readFileSync(join(schemaDir(), `${version}.json`), 'utf8')) as object], exports: { validate: `aibgen-aib-${version}` } };
}

function validatorFor(version: ApiVersion): ValidateFunction {
  return loadSchemaSet(`aib-${version}`, () => aibSchemaSet(version)).validate as ValidateFunction;
}

const segmentsOf = parsePointer;
const escape = escapePointer;

/** `properties.customize[3].inline` for a pointer relative to the template. */
function label(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out || '(the template)';
}

function expected(type: unknown): string {
  const one = Array.isArray(type) ? (type as string[]).join(' or ') : String(type);
  return one === 'object' ? 'an object' : one === 'array' ? 'an array' : one === 'integer' ? 'a whole number' : `a ${one}`;
}

/** An error from the `expression` alternative or a combinator: the error of the real branch says it better. */
function isNoise(error: ErrorObject): boolean {
  return error.schemaPath.includes('/definitions/expression/') || ['if', 'oneOf', 'anyOf', 'allOf', 'not', '$ref'].includes(error.keyword);
}

/** Response-only fields of resources, identities and image templates, found in exports. */
const EXPORTED = new Set([
  'id',
  'etag',
  'systemData',
  'principalId',
  'clientId',
  'tenantId',
  'provisioningState',
  'provisioningError',
  'lastRunStatus',
  'exactStagingResourceGroup',
  'exactVersion',
]);

interface Pending {
  rule: RuleId;
  variant?: RuleVariant;
  pointer: string;
  message: string;
}

function explain(error: ErrorObject, base: readonly (string | number)[], doc: Node, checker: Checker): Pending | undefined {
  const at = segmentsOf(error.instancePath);
  const where = label(at);
  const params = error.params as Record<string, unknown>;
  const node = findNodeAtLocation(doc, [...base, ...at]);
  const pointer = `/${[...base, ...at].map(escape).join('/')}`.replace(/^\/$/, '');
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      // What a GET or portal export carries (AIB153 reports those), not a typo.
      if (EXPORTED.has(key)) return undefined;
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const suggestion = closest(key, known);
      const hint = suggestion ? `; did you mean "${suggestion.name}"?` : known.length ? ` (known here: ${known.join(', ')})` : '';
      return {
        rule: 'AIB102',
        variant: 'before-strict-api',
        pointer: `${pointer}/${escape(key)}`,
        message: `${where}: unknown property "${key}"${hint}${checker.strictness === 'error' ? ' (rejected from API 2024-02-01)' : ''}`,
      };
    }
    case 'required':
      return { rule: 'AIB181', pointer, message: `${where}: "${String(params.missingProperty)}" is required` };
    case 'type': {
      const got = node ? describeType(node) : 'something else';
      const what = at.at(-1) === 'source' ? 'an object with a "type"' : expected(params.type);
      return { rule: 'AIB180', pointer, message: `${where} must be ${what}; got ${got}` };
    }
    case 'enum':
    case 'const': {
      const allowed = (error.keyword === 'enum' ? (params.allowedValues as unknown[]) : [params.allowedValue]).map(String);
      const value = node?.type === 'string' ? (node.value as string) : undefined;
      const caseOnly = value !== undefined && allowed.some((a) => a.toLowerCase() === value.toLowerCase());
      return {
        rule: 'AIB175',
        ...(caseOnly ? { variant: 'before-strict-api' as const } : {}),
        pointer,
        message: `${where} must be ${allowed.length === 1 ? `"${allowed[0]}"` : `one of ${allowed.map((a) => `"${a}"`).join(', ')}`}; got ${node ? describeType(node) : 'another value'}${caseOnly ? ' (values are case-sensitive from API 2024-02-01)' : ''}`,
      };
    }
    case 'pattern': {
      const rule: RuleId = at.at(-1) === 'name' && at.length === 1 ? 'AIB173' : at.at(-1) === 'runOutputName' ? 'AIB171' : 'AIB180';
      return {
        rule,
        pointer,
        message: `${where} does not have the form the service accepts (${String(params.pattern)}); got ${node ? describeType(node) : 'another value'}`,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        rule: at.at(-1) === 'buildTimeoutInMinutes' ? 'AIB150' : 'AIB180',
        pointer,
        message: `${where} ${error.message ?? ''}; got ${node ? describeType(node) : 'another value'}`,
      };
    default:
      return { rule: 'AIB180', pointer, message: `${where} ${error.message ?? 'does not match the schema'}` };
  }
}

/**
 * What a deployment template may put on any resource and ARM consumes itself, never sending it to
 * the resource provider: judged by ARM's rules (resource-rules checkDeploymentProperties), not the
 * resource type's schema.
 */
export const DEPLOYMENT_PROPERTIES = ['dependsOn', 'condition', 'copy', 'comments', 'scope'] as const;

function withoutDeploymentProperties(value: Record<string, unknown>): Record<string, unknown> {
  const out = { ...value };
  for (const key of DEPLOYMENT_PROPERTIES) delete out[key];
  return out;
}

/**
 * The template's value as the schema sees it: a bare body gets the envelope an ARM resource would
 * have, the API version being checked (so an expression there is not judged), and ARM property
 * loops ("copy") stand for the properties they generate.
 */
function valueOf(template: ImageTemplateRef, version: ApiVersion): Record<string, unknown> {
  const value = withoutDeploymentProperties(getNodeValue(template.node) as Record<string, unknown>);
  const body: Record<string, unknown> = { ...value, apiVersion: version, type: 'Microsoft.VirtualMachineImages/imageTemplates' };
  // Child resources (triggers) name their own API version: checked against the known ones (resource-rules), not the parent's.
  if (Array.isArray(body.resources))
    body.resources = (body.resources as unknown[]).map((child) =>
      child && typeof child === 'object' && !Array.isArray(child)
        ? { ...withoutDeploymentProperties(child as Record<string, unknown>), apiVersion: version }
        : child,
    );
  if (template.form !== 'arm') body.name ??= 'template';
  const props = body.properties;
  if (props && typeof props === 'object' && !Array.isArray(props) && Array.isArray((props as Record<string, unknown>).copy)) {
    const copy = { ...(props as Record<string, unknown>) };
    for (const loop of copy.copy as { name?: unknown }[]) if (typeof loop?.name === 'string') copy[loop.name] = '[copy()]';
    delete copy.copy;
    body.properties = copy;
  }
  return body;
}

/** Schema findings for one image template, leaving out places the hand-written rules already reported. */
export function checkSchema(checker: Checker, template: ImageTemplateRef, already: readonly Finding[]): void {
  const validate = validatorFor(checker.version);
  if (validate(valueOf(template, checker.version))) return;
  const base = segmentsOf(template.pointer);
  const reported = new Set(already.map((f) => f.pointer ?? ''));
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    if (isNoise(error)) continue;
    const pending = explain(error, base, checker.doc.root, checker);
    if (!pending) continue;
    const key = `${pending.pointer}\u0000${pending.rule}`;
    if (seen.has(key) || reported.has(pending.pointer)) continue;
    seen.add(key);
    const node =
      findNodeAtLocation(checker.doc.root, segmentsOf(pending.pointer)) ??
      findNodeAtLocation(checker.doc.root, segmentsOf(pending.pointer).slice(0, -1)) ??
      template.node;
    checker.report(pending.rule, node.parent?.type === 'property' ? node.parent : node, pending.message, pending.variant);
  }
}
