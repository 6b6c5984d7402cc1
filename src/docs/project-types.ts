/**
 * src/project/project-file.types.ts, generated from schema/aibgen.schema.json (the one definition
 * of the project file): the TypeScript types of a project file that passed the schema check. A
 * test fails when the committed file differs, and `npm run docs` writes it again.
 *
 * Only the JSON Schema keywords the schema uses are understood; any other keyword is refused, so
 * a schema change the generator cannot express fails here instead of producing a wrong type.
 */

interface SchemaNode {
  type?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean;
  items?: SchemaNode;
  enum?: unknown[];
  const?: unknown;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  $ref?: string;
}

/** Keywords that only constrain values (checked by the schema at read time), not their TypeScript shape. */
const VALUE_ONLY = new Set(['minLength', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'minItems', 'default', 'title', '$schema', '$id']);
const SHAPE = new Set([
  'type',
  'description',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'oneOf',
  '$ref',
  'definitions',
]);

const typeName = (definition: string) => definition[0]!.toUpperCase() + definition.slice(1);

function refName(ref: string): string {
  const match = /^#\/definitions\/([A-Za-z]\w*)$/.exec(ref);
  if (!match) throw new Error(`project-types: cannot express $ref "${ref}"`);
  return typeName(match[1]!);
}

function comment(text: string | undefined, indent: string): string {
  return text ? `${indent}/** ${text.replace(/\*\//g, '*\\/')} */\n` : '';
}

function typeOf(node: SchemaNode, indent: string, where: string): string {
  for (const key of Object.keys(node)) {
    if (!SHAPE.has(key) && !VALUE_ONLY.has(key)) throw new Error(`project-types: ${where} uses "${key}", which the generator does not express`);
  }
  if (node.$ref) return refName(node.$ref);
  const union = node.anyOf ?? node.oneOf;
  if (union) return union.map((n, i) => typeOf(n, indent, `${where}/${i}`)).join(' | ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (node.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      if (!node.items) throw new Error(`project-types: ${where} is an array without items`);
      return `${wrap(typeOf(node.items, indent, `${where}/items`))}[]`;
    case 'object':
      return node.properties ? objectBody(node, indent, where) : 'Record<string, unknown>';
    default:
      throw new Error(`project-types: ${where} has no type the generator expresses`);
  }
}

const wrap = (type: string) => (type.includes(' | ') ? `(${type})` : type);

function objectBody(node: SchemaNode, indent: string, where: string): string {
  if (node.additionalProperties !== false) throw new Error(`project-types: ${where} allows other properties; say additionalProperties: false`);
  const inner = `${indent}  `;
  const required = new Set(node.required ?? []);
  const lines = Object.entries(node.properties ?? {}).map(([key, child]) => {
    const name = /^[A-Za-z_]\w*$/.test(key) ? key : JSON.stringify(key);
    return `${comment(child.description, inner)}${inner}${name}${required.has(key) ? '' : '?'}: ${typeOf(child, inner, `${where}/${key}`)};\n`;
  });
  return `{\n${lines.join('')}${indent}}`;
}

/** The TypeScript source of the project file's types. */
export function projectTypesSource(schema: SchemaNode & { definitions?: Record<string, SchemaNode>; title?: string }): string {
  const out = [
    '// Generated from schema/aibgen.schema.json by `npm run docs` (src/docs/project-types.ts); do not edit by hand.',
    '// These are the shapes of a project file that passed the schema check in project-file.ts.',
    '',
  ];
  out.push(`${comment(schema.title ?? schema.description, '')}export interface RawProject ${objectBody(schema, '', '#')}`, '');
  const kinds: string[] = [];
  for (const [definition, node] of Object.entries(schema.definitions ?? {})) {
    out.push(`${comment(node.description, '')}export interface ${typeName(definition)} ${objectBody(node, '', `#/definitions/${definition}`)}`, '');
    const kind = /^(\w+)Step$/.exec(definition)?.[1];
    if (kind) kinds.push(`  ${kind}: ${typeName(definition)};`);
  }
  out.push('/** Each step kind: the key that makes an entry that kind, and the shape of such an entry. */');
  out.push(`export interface StepsByKind {\n${kinds.join('\n')}\n}`, '');
  return out.join('\n');
}
