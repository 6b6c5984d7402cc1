import { relative } from 'node:path';
import { applyEdits, getNodePath, getNodeValue, modify, type FormattingOptions, type Node } from 'jsonc-parser';
import type { CustomizerStep } from '../customizers/index.js';
import { ProjectError } from '../errors.js';
import { propertyNode, stringValue, valueNode, type ImageTemplateRef, type JsonDocument } from '../template/index.js';
import { detectEol } from '../util/text-position.js';
import { PROJECT_FILE } from './project-file.js';
import type { Step, StepList } from './project.js';

/** What one project step puts into a list: its generated customizers, or (`existing`) a step of the template's own. */
export interface Slot {
  step: Step;
  customizers: CustomizerStep[];
}

/** One entry of the built list, with where it came from. */
export interface ComposedEntry {
  customizer: CustomizerStep;
  /** The project step that produced or placed it; undefined for a template step kept as it was. */
  step: Step | undefined;
  /** For a step of the template's own (kept, or placed by an `existing` step): its index in the template's list. */
  own?: number;
}

export interface ComposeInput {
  doc: JsonDocument;
  template: ImageTemplateRef;
  templateSteps: 'keep' | 'drop';
  customize: readonly Slot[];
  validation?: { slots: readonly Slot[]; continueDistributeOnFailure?: boolean; sourceValidationOnly?: boolean };
  /** Where a step of the template's own is written, when `doc` is not the file the user edits (a Bicep template's evaluation). */
  ownLocation?: (list: StepList, index: number) => string;
}

export interface Composed {
  text: string;
  customize: ComposedEntry[];
  inVMValidations: ComposedEntry[] | undefined;
}

/** The indentation the file uses (tab, or the smallest run of leading spaces), for jsonc-parser's formatter. */
function formatting(text: string): FormattingOptions {
  const eol = detectEol(text);
  if (/^\t/m.test(text)) return { insertSpaces: false, tabSize: 1, eol };
  let smallest = Infinity;
  for (const match of text.matchAll(/^( +)\S/gm)) smallest = Math.min(smallest, (match[1] as string).length);
  return { insertSpaces: true, tabSize: Number.isFinite(smallest) ? Math.min(smallest, 8) : 2, eol };
}

function templateLocation(doc: JsonDocument, node: Node): string {
  const { line, column } = doc.lines.position(node.offset);
  const file = relative(process.cwd(), doc.file) || doc.file;
  return `${file}:${line}:${column}`;
}

/**
 * Builds one list: the template's own steps first (all, or with templateSteps "drop" none), minus
 * those an `existing` step places; then the project's steps in order. Names must be unique in the
 * result: a clash is reported in both files with the fix that applies.
 */
function composeList(input: ComposeInput, list: StepList, own: readonly Node[], slots: readonly Slot[]): ComposedEntry[] {
  const doc = input.doc;
  const claimed = new Set<Node>();
  const placed: ComposedEntry[][] = slots.map((slot) => {
    if (slot.step.kind !== 'existing') return slot.customizers.map((customizer) => ({ customizer, step: slot.step }));
    const wanted = slot.step.existing;
    const match = own.find((node) => stringValue(node, 'name') === wanted);
    if (!match) {
      const names = own.map((node) => stringValue(node, 'name')).filter((n) => n !== undefined);
      throw new ProjectError(
        `${slot.step.at}  ${slot.step.where}.existing: no step named "${wanted}" in the template's ${list === 'customize' ? 'customize' : 'validate.inVMValidations'} list`,
        [names.length ? `its steps are named: ${names.join(', ')}` : 'the template has no named steps there'],
      );
    }
    if (claimed.has(match)) throw new ProjectError(`${slot.step.at}  ${slot.step.where}.existing: "${wanted}" is already placed by another existing step`);
    claimed.add(match);
    return [{ customizer: getNodeValue(match) as CustomizerStep, step: slot.step, own: own.indexOf(match) }];
  });
  const nodeOf = new Map<ComposedEntry, Node>();
  const kept: ComposedEntry[] = [];
  if (input.templateSteps === 'keep') {
    for (const [index, node] of own.entries()) {
      if (claimed.has(node)) continue;
      const entry: ComposedEntry = { customizer: getNodeValue(node) as CustomizerStep, step: undefined, own: index };
      nodeOf.set(entry, node);
      kept.push(entry);
    }
  }
  const result = [...kept, ...placed.flat()];

  const seen = new Map<string, ComposedEntry>();
  for (const entry of result) {
    const name = entry.customizer.name;
    if (typeof name !== 'string') continue;
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (!first) {
      seen.set(key, entry);
      continue;
    }
    if (!first.step && !entry.step) continue; // both the template's own: validate reports it (AIB104)
    const fromTemplate = [first, entry].find((e) => !e.step);
    const fromProject = [first, entry].filter((e) => e.step) as (ComposedEntry & { step: Step })[];
    if (fromTemplate) {
      const projectEntry = fromProject[0] as ComposedEntry & { step: Step };
      const node = nodeOf.get(fromTemplate) as Node;
      const where = input.ownLocation ? input.ownLocation(list, own.indexOf(node)) : templateLocation(doc, node);
      throw new ProjectError(`${projectEntry.step.at}  ${projectEntry.step.where} and ${where}  the template's own step: both are named "${name}"`, [
        `if they are the same step, place the template's with { "existing": "${name}" } instead of re-creating it in ${PROJECT_FILE}`,
        `if they differ, rename the ${PROJECT_FILE} step ("name": "...")`,
        `or leave out the template's own steps with "templateSteps": "drop"`,
      ]);
    }
    const [a, b] = fromProject as [ComposedEntry & { step: Step }, ComposedEntry & { step: Step }];
    const generated = (e: ComposedEntry & { step: Step }) => (e.customizer.name === e.step.name ? '' : ` (generated by "${e.step.name}")`);
    throw new ProjectError(
      `${b.step.at}  ${b.step.where} and ${a.step.at}  ${a.step.where}: both produce a step named "${name}"${generated(a)}${generated(b)}`,
      ['rename one of them ("name": "...")'],
    );
  }
  return result;
}

function listNode(input: ComposeInput, list: StepList): { node: Node | undefined; own: Node[] } {
  const props = input.template.properties as Node;
  const container = list === 'customize' ? props : valueNode(props, 'validate');
  const key = list === 'customize' ? 'customize' : 'inVMValidations';
  const node = valueNode(container, key);
  if (node && node.type !== 'array') {
    const where = templateLocation(input.doc, node);
    if (node.type === 'string') {
      throw new ProjectError(
        `${where}  properties.${list === 'customize' ? 'customize' : 'validate.inVMValidations'} is an expression (${String(node.value).slice(0, 60)}), not a list aibgen build can add to`,
        [
          `build writes the steps to customize.json next to the output: pass that file as the parameter, e.g. in Bicep \`customizationSteps: loadJsonContent('dist/customize.json')\`, or with az: \`--parameters customizationSteps=@dist/customize.json\``,
          'or make the list literal in the template (it may be empty: "customize": [])',
        ],
      );
    }
    throw new ProjectError(`${where}  properties.${key} is not a list`);
  }
  return { node, own: node?.children ?? [] };
}

/**
 * The template with its customize list (and validate, when the project has validation steps)
 * rebuilt; every other byte of the file stays as it was. Edits go through jsonc-parser's `modify`,
 * formatted with the file's own indentation and line ending.
 */
export function compose(input: ComposeInput): Composed {
  const props = input.template.properties;
  if (!props || props.type !== 'object') {
    const where = templateLocation(input.doc, props ?? input.template.node);
    throw new ProjectError(
      `${where}  the image template's properties are ${props?.type === 'string' ? 'an expression' : 'not an object'}; aibgen build needs a literal template to add steps to`,
    );
  }
  const customizeList = listNode(input, 'customize');
  const customize = composeList(input, 'customize', customizeList.own, input.customize);
  const options = { formattingOptions: formatting(input.doc.text) };
  const base = getNodePath(props);
  let text = applyEdits(
    input.doc.text,
    modify(
      input.doc.text,
      [...base, 'customize'],
      customize.map((e) => e.customizer),
      options,
    ),
  );

  let inVMValidations: ComposedEntry[] | undefined;
  if (input.validation) {
    const validationList = listNode(input, 'inVMValidations');
    inVMValidations = composeList(input, 'inVMValidations', validationList.own, input.validation.slots);
    const validatePath = [...base, 'validate'];
    const existing = valueNode(props, 'validate');
    if (existing && existing.type !== 'object') throw new ProjectError(`${templateLocation(input.doc, existing)}  properties.validate is not an object`);
    text = applyEdits(
      text,
      modify(
        text,
        [...validatePath, 'inVMValidations'],
        inVMValidations.map((e) => e.customizer),
        options,
      ),
    );
    for (const flag of ['continueDistributeOnFailure', 'sourceValidationOnly'] as const) {
      const value = input.validation[flag];
      if (value !== undefined) text = applyEdits(text, modify(text, [...validatePath, flag], value, options));
    }
  }
  return { text: (input.doc.bom ? '\uFEFF' : '') + text, customize, inVMValidations };
}

/** Whether the template has a `customize` key at all (for messages). */
export function hasCustomize(template: ImageTemplateRef): boolean {
  return propertyNode(template.properties, 'customize') !== undefined;
}
