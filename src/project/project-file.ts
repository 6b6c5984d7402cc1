import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findNodeAtLocation, getNodeValue, type Node } from 'jsonc-parser';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { loadSchemaSet, type SchemaSet } from '../util/ajv.js';
import { cannotRead, ParseError, ProjectError } from '../errors.js';
import { parseJsonDocument, type JsonDocument } from '../template/index.js';
import { parsePointer } from '../util/json-pointer.js';
import { formatPosition, type SourcePosition } from '../util/text-position.js';
import type { RawProject } from './project-file.types.js';

export const PROJECT_FILE = 'aibgen.json';

/** The project file as read: its parsed tree (for positions) and its value (checked against the shipped schema). */
export interface ProjectFile {
  /** Path as the user gave it (for messages). */
  file: string;
  /** The project folder: paths in the file are relative to it. */
  dir: string;
  doc: JsonDocument;
  value: RawProject;
}

export type { RawProject, StepsByKind } from './project-file.types.js';
/** A step of customize or inVMValidations, as written (the schema check has made sure it is one of these). */
export type RawStep = RawProject['customize'][number];

/** The step kinds: the key that makes an entry that kind, and the schema definition that describes it. */
export const STEP_KINDS = ['script', 'payload', 'file', 'inline', 'restart', 'windowsUpdate', 'existing', 'deprovision'] as const;
export type StepKindName = (typeof STEP_KINDS)[number];
export const VALIDATION_KINDS: readonly StepKindName[] = ['script', 'payload', 'file', 'inline', 'existing'];

interface Schema {
  properties: Record<string, unknown>;
  definitions: Record<string, { properties: Record<string, unknown> }>;
}

export function schemaPath(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema', 'aibgen.schema.json');
}

let validators: { top: ValidateFunction; steps: Map<StepKindName, ValidateFunction>; schema: Schema } | undefined;

function readSchema(): Schema & Record<string, unknown> {
  return JSON.parse(readFileSync(schemaPath(), 'utf8')) as Schema & Record<string, unknown>;
}

/**
 * The shipped JSON Schema is the one description of aibgen.json. The top level is checked with the
 * step lists left open, then each step against the definition of its own kind, so an error names
 * the one setting that is wrong instead of every alternative of an anyOf.
 */
export function projectSchemaSet(): SchemaSet {
  const schema = readSchema();
  const open = {
    ...schema,
    $id: 'aibgen-top',
    properties: {
      ...schema.properties,
      customize: { type: 'array', items: { type: 'object' } },
      validate: {
        ...(schema.properties.validate as object),
        properties: { ...(schema.properties.validate as { properties: object }).properties, inVMValidations: { type: 'array', items: { type: 'object' } } },
      },
    },
  };
  return {
    schemas: [{ ...schema, $id: 'aibgen' }, open],
    exports: { top: 'aibgen-top', ...Object.fromEntries(STEP_KINDS.map((kind) => [kind, `aibgen#/definitions/${kind}Step`])) },
  };
}

function compiled(): NonNullable<typeof validators> {
  if (validators) return validators;
  const set = loadSchemaSet('project', projectSchemaSet);
  validators = { top: set.top as ValidateFunction, steps: new Map(STEP_KINDS.map((kind) => [kind, set[kind] as ValidateFunction])), schema: readSchema() };
  return validators;
}

function sourcePosition(doc: JsonDocument, node: Node | undefined): SourcePosition {
  if (!node) return { file: doc.file };
  const target = node.parent?.type === 'property' && node.parent.children?.[1] === node ? node.parent : node;
  const { line, column } = doc.lines.position(target.offset);
  return { file: doc.file, line, column };
}

function position(doc: JsonDocument, node: Node | undefined): string {
  return formatPosition(sourcePosition(doc, node));
}

const pathSegments = parsePointer;

function label(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out || '(top)';
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${JSON.stringify(value) ?? typeof value}`;
}

/** One schema error as a sentence that says what is wrong and what is expected. */
function explain(error: ErrorObject, value: unknown, allowed: (segments: (string | number)[]) => string[]): { segments: (string | number)[]; message: string } {
  const segments = pathSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = allowed(segments);
      return { segments: [...segments, key], message: `unknown setting "${key}"${known.length ? `; the settings here are: ${known.join(', ')}` : ''}` };
    }
    case 'required':
      return { segments, message: `"${String(params.missingProperty)}" is required here` };
    case 'type':
      return {
        segments,
        message: `must be ${params.type === 'integer' ? 'a whole number' : params.type === 'object' ? 'an object' : params.type === 'array' ? 'an array' : `a ${String(params.type)}`}, got ${describeValue(value)}`,
      };
    case 'enum':
      return {
        segments,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(value)}`,
      };
    case 'const':
      return { segments, message: `must be ${JSON.stringify(params.allowedValue)}, got ${describeValue(value)}` };
    case 'pattern':
      return {
        segments,
        message:
          segments.at(-1) === 'baseUri'
            ? `must be an http(s) URL where the artifacts will be served, got ${describeValue(value)}`
            : segments.at(-1) === 'restartTimeout'
              ? `must be a duration such as 5m, 2h or 30s, got ${describeValue(value)}`
              : `does not match ${String(params.pattern)}`,
      };
    case 'minLength':
      return { segments, message: 'must not be empty' };
    case 'minItems':
      return { segments, message: `needs at least ${String(params.limit)} entr${params.limit === 1 ? 'y' : 'ies'}` };
    default:
      return { segments, message: error.message ?? error.keyword };
  }
}

/** Where to read the project: a folder holding aibgen.json, or the path of the file itself. */
async function locate(dirOrFile: string): Promise<string> {
  try {
    if ((await stat(dirOrFile)).isDirectory()) return join(dirOrFile, PROJECT_FILE);
  } catch {
    // Not there: reading it below says so.
  }
  return dirOrFile;
}

/** Reads aibgen.json and checks it against the shipped schema; every error names its line and column. */
export async function readProjectFile(dirOrFile: string): Promise<ProjectFile> {
  const file = await locate(dirOrFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const what = file === dirOrFile ? `cannot read ${file}` : `no ${PROJECT_FILE} in ${dirOrFile}`;
    throw cannotRead(what, error, ['create a project with: aibgen init --os linux|windows']);
  }
  let doc: JsonDocument;
  try {
    doc = parseJsonDocument(file, text);
  } catch (error) {
    if (error instanceof ParseError)
      throw new ProjectError(
        `${error.message.replace(/ \(not valid JSON.*\)$/, '')} (${basename(file)} is JSON; comments and trailing commas are allowed)`,
        [],
        error,
      );
    throw error;
  }
  const value = getNodeValue(doc.root) as unknown;
  const { top, steps, schema } = compiled();
  const allowed = (segments: (string | number)[]): string[] => {
    if (segments.length === 0) return Object.keys(schema.properties);
    if (segments.length === 1 && segments[0] === 'validate') return Object.keys((schema.properties.validate as { properties: object }).properties);
    return [];
  };
  const problems: { segments: (string | number)[]; message: string }[] = [];
  const collect = (validate: ValidateFunction, data: unknown, prefix: (string | number)[], known: (segments: (string | number)[]) => string[]) => {
    if (validate(data)) return;
    for (const error of validate.errors ?? []) {
      const at = pathSegments(error.instancePath);
      let v: unknown = data;
      for (const s of at) v = (v as Record<string | number, unknown> | undefined)?.[s];
      const explained = explain(error, v, known);
      problems.push({ segments: [...prefix, ...explained.segments], message: explained.message });
    }
  };
  collect(top, value, [], allowed);
  if (problems.length === 0) {
    const project = value as RawProject;
    const lists: [(string | number)[], RawStep[], readonly StepKindName[]][] = [[['customize'], project.customize, STEP_KINDS]];
    if (project.validate?.inVMValidations) lists.push([['validate', 'inVMValidations'], project.validate.inVMValidations, VALIDATION_KINDS]);
    for (const [prefix, list, kinds] of lists) {
      list.forEach((step, index) => {
        const here = [...prefix, index];
        const present = kinds.filter((k) => k in step);
        const others = STEP_KINDS.filter((k) => !kinds.includes(k) && k in step);
        if (others.length > 0) {
          problems.push({ segments: here, message: `${others.join(', ')} steps cannot be used here; ${label(prefix)} takes ${kinds.join(', ')} steps` });
          return;
        }
        if (present.length !== 1) {
          problems.push({
            segments: here,
            message:
              present.length === 0
                ? `says no step kind (${Object.keys(step).join(', ') || 'empty'}); give one of: ${kinds.join(', ')}`
                : `has several step kinds (${present.join(', ')}); use one per step`,
          });
          return;
        }
        const kind = present[0] as StepKindName;
        const definition = schema.definitions[`${kind}Step`] as { properties: Record<string, { properties?: object; oneOf?: { properties?: object }[] }> };
        collect(steps.get(kind) as ValidateFunction, step, here, (segments) => {
          if (segments.length === 0) return Object.keys(definition.properties);
          const options = definition.properties[String(segments[0])]?.oneOf?.find((o) => o.properties)?.properties;
          return options ? Object.keys(options) : [];
        });
      });
    }
  }
  if (problems.length > 0) {
    // A union such as `true | { options }` fails once per branch: a wrong value gets one line
    // ("must be true or an object"), and a wrong option inside the object only its own.
    const at = (p: { segments: (string | number)[] }) => label(p.segments);
    const deeper = (p: { segments: (string | number)[] }) => problems.some((q) => q.segments.length > p.segments.length && at(q).startsWith(at(p)));
    const merged: typeof problems = [];
    for (const p of problems) {
      const isBranch = /^must be (true|an object|a |one of)/.test(p.message);
      if (isBranch && deeper(p)) continue;
      const same = merged.find((m) => at(m) === at(p) && /^must be /.test(m.message) && isBranch);
      if (same) {
        same.message = same.message.replace(
          /^must be (.*?), got (.*)$/,
          (_, a: string, got: string) => `must be ${a} or ${p.message.replace(/^must be (.*?), got .*$/, '$1')}, got ${got}`,
        );
        continue;
      }
      merged.push({ ...p });
    }
    problems.splice(0, problems.length, ...merged);
    const seen = new Set<string>();
    const unique = problems.filter((p) => {
      const key = `${label(p.segments)}\u0000${p.message}`;
      if (seen.has(key) || /must match (a|exactly one) schema/.test(p.message)) return false;
      seen.add(key);
      return true;
    });
    const lines = unique.map(
      (p) =>
        `${position(doc, findNodeAtLocation(doc.root, p.segments) ?? findNodeAtLocation(doc.root, p.segments.slice(0, -1)))}  ${label(p.segments)}: ${p.message}`,
    );
    const [first, ...rest] = lines;
    throw new ProjectError(`${first}${rest.length ? ` (and ${rest.length} more)` : ''}`, [
      ...rest,
      `the settings are described in ${PROJECT_FILE}'s JSON Schema (aibgen/schema/aibgen.schema.json) and the README`,
    ]);
  }
  return { file, dir: dirname(resolve(file)), doc, value: value as RawProject };
}

/** file:line:column of a setting in the project file (the key of a property, or the element of a list). */
export function projectPosition(project: ProjectFile, segments: (string | number)[]): string {
  return position(project.doc, findNodeAtLocation(project.doc.root, segments));
}

/** The place of a value in the project file, as data (findings are moved there). */
export function projectSourcePosition(project: ProjectFile, segments: (string | number)[]): SourcePosition {
  return sourcePosition(project.doc, findNodeAtLocation(project.doc.root, segments));
}
