import { basename, extname } from 'node:path';
import type { Node } from 'jsonc-parser';
import { STEP_PAYLOAD_PROPERTIES, customizerTypeOf } from '../customizers/model.js';
import { indexInArray, pointerOf, properties, propertyNode, stringValue, valueNode, type JsonDocument } from './json-document.js';

export const IMAGE_TEMPLATE_TYPE = 'Microsoft.VirtualMachineImages/imageTemplates';

export type TemplateForm = 'bare' | 'arm' | 'rest-example';

/** One image template found in a document: a bare body, or a resource inside an ARM template. */
export interface ImageTemplateRef {
  /** The template's `name` (may be an ARM expression), else the file's base name. */
  name: string;
  form: TemplateForm;
  /** Pointer to the object holding `properties` (the resource or the body). */
  pointer: string;
  node: Node;
  properties: Node | undefined;
  apiVersion: string | undefined;
}

export type CustomizerList = 'customize' | 'inVMValidations' | 'other';

/** A Shell / PowerShell / File / WindowsRestart / WindowsUpdate step found in a document. */
export interface CustomizerRef {
  template: ImageTemplateRef | undefined;
  list: CustomizerList;
  index: number;
  pointer: string;
  node: Node;
  type: string | undefined;
  name: string | undefined;
  /** "customize[2]" style label when the step has no name. */
  label: string;
}

function looksLikeTemplateBody(node: Node): boolean {
  const props = valueNode(node, 'properties');
  return props?.type === 'object' && ['source', 'customize', 'distribute'].some((k) => propertyNode(props, k) !== undefined);
}

function isImageTemplateResource(node: Node): boolean {
  const type = stringValue(node, 'type');
  return type !== undefined && type.toLowerCase() === IMAGE_TEMPLATE_TYPE.toLowerCase() && propertyNode(node, 'properties') !== undefined;
}

function isArmTemplate(root: Node): boolean {
  return propertyNode(root, 'resources') !== undefined && (propertyNode(root, '$schema') !== undefined || propertyNode(root, 'contentVersion') !== undefined);
}

function isRestExample(root: Node): boolean {
  return valueNode(root, 'parameters')?.type === 'object' && valueNode(root, 'responses')?.type === 'object';
}

/**
 * Visits every object in the tree below `node`, depth first; `visit` returns true to stop
 * descending into that object.
 */
function walkObjects(node: Node, visit: (object: Node) => boolean, skip: ReadonlySet<Node> = new Set()): void {
  if (skip.has(node)) return;
  if (node.type === 'object') {
    if (visit(node)) return;
    for (const prop of node.children ?? []) {
      const value = prop.children?.[1];
      if (value) walkObjects(value, visit, skip);
    }
  } else if (node.type === 'array') {
    for (const item of node.children ?? []) walkObjects(item, visit, skip);
  }
}

function fileStem(file: string): string {
  const base = basename(file);
  return base.slice(0, base.length - extname(base).length) || base;
}

/**
 * Finds every image template in a parsed document: the root itself when it is a bare body (as
 * `az image builder create --image-template` takes it), any `Microsoft.VirtualMachineImages/
 * imageTemplates` object anywhere (ARM resources, nested deployments, template specs), and the
 * request body of a REST API example. Response bodies of REST examples are ignored.
 */
export function findImageTemplates(doc: JsonDocument): ImageTemplateRef[] {
  const found: ImageTemplateRef[] = [];
  const root = doc.root;
  const make = (node: Node, form: TemplateForm): ImageTemplateRef => ({
    name: stringValue(node, 'name') ?? fileStem(doc.file),
    form,
    pointer: pointerOf(node),
    node,
    properties: valueNode(node, 'properties'),
    apiVersion: stringValue(node, 'apiVersion'),
  });

  if (root.type !== 'object') return found;
  if (isRestExample(root)) {
    const api = stringValue(valueNode(root, 'parameters'), 'api-version');
    for (const param of properties(valueNode(root, 'parameters'))) {
      const body = param.children?.[1];
      if (body && body.type === 'object' && looksLikeTemplateBody(body)) {
        const ref = make(body, 'rest-example');
        found.push({ ...ref, name: stringValue(valueNode(root, 'parameters'), 'imageTemplateName') ?? ref.name, apiVersion: ref.apiVersion ?? api });
      }
    }
    return found;
  }
  const arm = isArmTemplate(root);
  if (!arm && looksLikeTemplateBody(root)) {
    found.push(make(root, 'bare'));
    return found;
  }
  walkObjects(root, (object) => {
    if (!isImageTemplateResource(object)) return false;
    found.push(make(object, 'arm'));
    return true;
  });
  return found;
}

function customizersOf(template: ImageTemplateRef): CustomizerRef[] {
  const out: CustomizerRef[] = [];
  const add = (array: Node | undefined, list: CustomizerList, labelBase: string) => {
    if (array?.type !== 'array') return;
    (array.children ?? []).forEach((node, index) => {
      const name = stringValue(node, 'name');
      out.push({
        template,
        list,
        index,
        pointer: pointerOf(node),
        node,
        type: stringValue(node, 'type'),
        name,
        label: name ?? `${labelBase}[${index}]`,
      });
    });
  };
  add(valueNode(template.properties, 'customize'), 'customize', 'customize');
  add(valueNode(valueNode(template.properties, 'validate'), 'inVMValidations'), 'inVMValidations', 'inVMValidations');
  return out;
}

/**
 * Every customizer and in-VM validator of every image template, in document order; plus, with
 * `includeLoose`, customizer-shaped objects held elsewhere (ARM variables or parameter defaults
 * that an expression splices into `customize`).
 */
export function findCustomizers(doc: JsonDocument, templates = findImageTemplates(doc), includeLoose = true): CustomizerRef[] {
  const found = templates.flatMap(customizersOf);
  if (!includeLoose) return found;
  const claimed = new Set(found.map((c) => c.node));
  const skip = new Set<Node>();
  if (doc.root.type === 'object' && isRestExample(doc.root)) {
    const responses = valueNode(doc.root, 'responses');
    if (responses) skip.add(responses);
  }
  const loose: CustomizerRef[] = [];
  walkObjects(
    doc.root,
    (node) => {
      if (claimed.has(node)) return true;
      const type = stringValue(node, 'type');
      if (!customizerTypeOf(type) || !STEP_PAYLOAD_PROPERTIES.some((k) => propertyNode(node, k))) return false;
      const parent = node.parent;
      const index = parent?.type === 'array' ? indexInArray(parent, node) : 0;
      const pointer = pointerOf(node);
      const name = stringValue(node, 'name');
      loose.push({ template: undefined, list: 'other', index, pointer, node, type, name, label: name ?? pointer });
      return true;
    },
    skip,
  );
  return [...found, ...loose].sort((a, b) => a.node.offset - b.node.offset);
}
