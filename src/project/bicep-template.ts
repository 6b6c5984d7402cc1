import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { BicepLocator, COMPILER_HINT, CompilerSession, type Evaluation } from '../bicep/compiler/index.js';
import { toBicepLiteral } from '../bicep/compiler/literal.js';
import { property, type ObjectNode } from '../bicep/objects.js';
import { imageTemplatesOf, lineIndent, type BicepImageTemplate, type LiteralList } from '../bicep/step-lists.js';
import { ProjectError } from '../errors.js';
import type { Finding } from '../findings/index.js';
import { findImageTemplates, parseJsonDocument, type ImageTemplateRef, type JsonDocument } from '../template/index.js';
import { compilerFindingsOf } from '../validate/bicep.js';
import { detectEol, LineIndex } from '../util/text-position.js';
import type { LocateOwn } from './checks.js';
import type { Composed, ComposedEntry } from './compose.js';
import type { Project, StepList } from './project.js';

/**
 * build with a Bicep template: the steps go into the literal `customize` list (and
 * `validate.inVMValidations`) of the image template the .bicep declares; every other byte stays.
 * The Bicep compiler evaluates the input (the template's own steps, its source for the OS) and the
 * result, and the result's evaluation is what validate and lint check, as for `aibgen validate
 * main.bicep`. Without the compiler, build refuses: it would be writing what nobody checked.
 */

export interface BicepInputs {
  session: CompilerSession;
  text: string;
  declared: BicepImageTemplate;
  customize: LiteralList;
  inVMValidations: LiteralList | undefined;
  validate: ObjectNode | undefined;
  evaluation: Evaluation;
  /** The evaluated image template (its index in the evaluation's templates). */
  index: number;
}

const shown = (path: string) => relative(process.cwd(), path) || path;

const ROUTE = [
  "or keep the steps out of the .bicep: customize: loadJsonContent('dist/customize.json') (or the module parameter that takes them),",
  '  with "template" naming a JSON template body (aibgen init writes one); build writes customize.json next to "output"',
];

function at(file: string, text: string, offset: number): string {
  const { line, column } = new LineIndex(text).position(offset);
  return `${shown(file)}:${line}:${column}`;
}

function chooseDeclared(project: Project, text: string): BicepImageTemplate {
  const file = project.template.path;
  const declared = imageTemplatesOf(text);
  if (declared.length === 0)
    throw new ProjectError(`${shown(file)}: declares no Microsoft.VirtualMachineImages/imageTemplates resource whose customize list build could write`, [
      'a template made by a module takes its steps as a parameter: pass the customize.json build writes to it',
      ...ROUTE,
    ]);
  if (project.templateName) {
    const named = declared.find((d) => d.symbol === project.templateName);
    if (!named)
      throw new ProjectError(
        `${project.file}: templateName: no image template resource "${project.templateName}" in ${shown(file)} (found: ${declared.map((d) => d.symbol).join(', ')})`,
      );
    return named;
  }
  if (declared.length > 1)
    throw new ProjectError(
      `${shown(file)}: declares ${declared.length} image templates (${declared.map((d) => d.symbol).join(', ')}); say which with "templateName" (the resource's symbolic name) in ${project.file}`,
    );
  return declared[0] as BicepImageTemplate;
}

function literalCustomize(file: string, text: string, declared: BicepImageTemplate): LiteralList {
  const list = declared.customize;
  if (!declared.properties)
    throw new ProjectError(
      `${at(file, text, declared.offset)}  resource ${declared.symbol}: its properties are not an object literal build can add steps to`,
      ROUTE,
    );
  if (declared.properties.spread)
    throw new ProjectError(
      `${at(file, text, declared.properties.start)}  resource ${declared.symbol}: its properties spread another object (...), which may set or replace customize; build cannot tell which list deploys`,
      [
        'pass the steps as the parameter that list comes from (the customize.json build writes), or write customize as a literal list without a spread',
        ...ROUTE,
      ],
    );
  if (!list)
    throw new ProjectError(`${at(file, text, declared.properties.start)}  resource ${declared.symbol}: properties has no customize list`, [
      'add one, even empty (customize: []), and build fills it',
    ]);
  if ('notLiteral' in list)
    throw new ProjectError(`${at(file, text, list.offset)}  resource ${declared.symbol}: customize is not a list build can add to: ${list.notLiteral}`, [
      'write the steps as a literal list there (it may be empty: customize: [])',
      ...ROUTE,
    ]);
  return list;
}

function literalValidations(file: string, text: string, declared: BicepImageTemplate): LiteralList | undefined {
  const validate = declared.validate;
  if (validate && !validate.object)
    throw new ProjectError(
      `${at(file, text, validate.prop.value[0]?.start ?? validate.prop.keyToken.start)}  resource ${declared.symbol}: validate is an expression; build needs an object literal to put inVMValidations in`,
    );
  const list = declared.inVMValidations;
  if (list && 'notLiteral' in list)
    throw new ProjectError(
      `${at(file, text, list.offset)}  resource ${declared.symbol}: validate.inVMValidations is not a list build can add to: ${list.notLiteral}`,
      ['write the validation steps as a literal list there (it may be empty: inVMValidations: [])'],
    );
  return list;
}

/** The evaluated template that is `declared`: the only one, else the one whose name is its literal name. */
function matchEvaluated(file: string, declared: BicepImageTemplate, templates: readonly Record<string, unknown>[]): number {
  if (templates.length === 1) return 0;
  const index = declared.name === undefined ? -1 : templates.findIndex((t) => t.name === declared.name);
  if (index === -1 || templates.findIndex((t, i) => i > index && t.name === declared.name) !== -1)
    throw new ProjectError(
      `${shown(file)}: the deployment makes ${templates.length} image templates and aibgen cannot tell which is resource ${declared.symbol}`,
      ["give that resource a literal name (name: '...') that no other image template has"],
    );
  return index;
}

const listLength = (value: unknown) => (Array.isArray(value) ? value.length : 0);

/** Phase 1 for a .bicep template: its literal lists, its evaluation by the compiler, and that evaluation as the JSON the build composes into. */
export async function readBicepInputs(project: Project, text: string): Promise<{ bicep: BicepInputs; doc: JsonDocument; template: ImageTemplateRef }> {
  const file = project.template.path;
  const declared = chooseDeclared(project, text);
  const customize = literalCustomize(file, text, declared);
  const inVMValidations = project.validation ? literalValidations(file, text, declared) : undefined;
  const session = new CompilerSession();
  if (!session.available)
    throw new ProjectError(
      `${shown(file)}: build with a Bicep template needs the Bicep compiler, to evaluate the template and check what build writes into it`,
      [COMPILER_HINT, ...ROUTE],
    );
  try {
    const evaluation = await session.evaluate(file);
    const errors = compilerFindingsOf(evaluation).filter((f) => f.severity === 'error');
    if (evaluation.failed || errors.length > 0)
      throw new ProjectError(`${shown(file)}: the Bicep compiler could not evaluate the template${evaluation.failed ? ` (${evaluation.failed})` : ''}`, [
        ...errors.map((f) => `${f.file}:${f.line}:${f.column}  ${f.rule}  ${f.message}`),
        `aibgen validate ${project.template.given} shows every finding`,
      ]);
    const local = evaluation.sources.length > 1 || /\bload(Text|Json|Yaml|FileAsBase64|Directory)\w*\s*\(/.test(text);
    if (local && dirname(project.output.path) !== dirname(file))
      throw new ProjectError(
        `${project.file}: output: ${project.output.given} is in another folder than ${project.template.given}, which refers to files by relative paths`,
        [`write the output next to the template, e.g. "output": "${join(dirname(project.template.given), `${basename(file, '.bicep')}.built.bicep`)}"`],
      );
    const index = matchEvaluated(file, declared, evaluation.templates);
    const evaluated = evaluation.templates[index] as Record<string, unknown> & {
      properties?: { customize?: unknown; validate?: { inVMValidations?: unknown } };
    };
    const counts: [string, number, number][] = [
      ['customize', listLength(evaluated.properties?.customize), customize.elements.length],
      ['validate.inVMValidations', listLength(evaluated.properties?.validate?.inVMValidations), inVMValidations?.elements.length ?? 0],
    ];
    for (const [list, evaluatedCount, written] of counts) {
      if (list !== 'customize' && !project.validation) continue;
      if (evaluatedCount !== written)
        throw new ProjectError(
          `${shown(file)}: resource ${declared.symbol}: its ${list} list has ${written} element(s) but evaluates to ${evaluatedCount} (a condition or an expression in it adds or removes steps); build cannot tell which written element is which step`,
          ['write each step of that list as a literal element', ...ROUTE],
        );
    }
    const doc = parseJsonDocument(`${shown(file)} (evaluated)`, JSON.stringify(evaluated, null, 2));
    const template = findImageTemplates(doc)[0];
    if (!template) throw new ProjectError(`${shown(file)}: the compiler's evaluation of resource ${declared.symbol} is not an image template`);
    return {
      bicep: { session, text, declared, customize, inVMValidations, validate: declared.validate?.object, evaluation, index },
      doc,
      template,
    };
  } catch (error) {
    session.dispose();
    throw error;
  }
}

/** Where a step of the template's own is written in the .bicep (for messages). */
export function ownLocation(bicep: BicepInputs, file: string): (list: StepList, index: number) => string {
  return (list, index) => {
    const element = (list === 'customize' ? bicep.customize : bicep.inVMValidations)?.elements[index];
    return at(file, bicep.text, element?.valueStart ?? bicep.declared.offset);
  };
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The .bicep build writes: the input with its step lists holding the composed steps, the template's own as they were written. */
export function composeBicep(bicep: BicepInputs, composed: Composed, flags: { continueDistributeOnFailure?: boolean; sourceValidationOnly?: boolean }): string {
  const { text } = bicep;
  const eol = detectEol(text);
  const lines = (s: string) => (eol === '\n' ? s : s.replace(/\n/g, eol));
  const listText = (list: Pick<LiteralList, 'elements' | 'tail' | 'keyIndent' | 'elementIndent'>, entries: readonly ComposedEntry[]) => {
    const items = entries.map((e) =>
      e.own !== undefined ? (list.elements[e.own] as { text: string }).text : lines(toBicepLiteral(e.customizer, list.elementIndent)),
    );
    if (list.tail) items.push(list.tail);
    if (items.length === 0) return '[]';
    return `[${eol}${items.map((item) => list.elementIndent + item).join(eol)}${eol}${list.keyIndent}]`;
  };
  const fresh = (keyIndent: string) => ({ elements: [], tail: undefined, keyIndent, elementIndent: `${keyIndent}  ` });
  const edits: Edit[] = [{ start: bicep.customize.start, end: bicep.customize.end, text: listText(bicep.customize, composed.customize) }];
  if (composed.inVMValidations) {
    const validations = composed.inVMValidations;
    const flagValues = Object.entries(flags).filter((e): e is [string, boolean] => e[1] !== undefined);
    const object = bicep.validate;
    const existing = bicep.inVMValidations;
    if (!object) {
      const indent = bicep.customize.keyIndent;
      const inner = `${indent}  `;
      const body = [`${inner}inVMValidations: ${listText(fresh(inner), validations)}`, ...flagValues.map(([k, v]) => `${inner}${k}: ${v}`)];
      edits.push({ start: bicep.customize.end, end: bicep.customize.end, text: `${eol}${indent}validate: {${eol}${body.join(eol)}${eol}${indent}}` });
    } else {
      const first = object.properties[0];
      const indent = lineIndent(text, object.start);
      const inner = first ? lineIndent(text, first.keyToken.start) : `${indent}  `;
      const missing: string[] = [];
      if (existing) edits.push({ start: existing.start, end: existing.end, text: listText(existing, validations) });
      else missing.push(`${inner}inVMValidations: ${listText(fresh(inner), validations)}`);
      for (const [key, value] of flagValues) {
        const prop = property(object, key);
        const [head, last] = [prop?.value[0], prop?.value.at(-1)];
        if (head && last) edits.push({ start: head.start, end: last.end, text: String(value) });
        else missing.push(`${inner}${key}: ${value}`);
      }
      if (missing.length > 0) {
        if (object.properties.length === 0) edits.push({ start: object.start, end: object.end, text: `{${eol}${missing.join(eol)}${eol}${indent}}` });
        else edits.push({ start: object.start + 1, end: object.start + 1, text: `${eol}${missing.join(eol)}` });
      }
    }
  }
  let out = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

export interface BicepResult {
  builtDoc: JsonDocument;
  templatePointer: string;
  locateOwn: LocateOwn;
  /** The compiler's findings on what build would write (a broken result is an error here, not at deployment). */
  compilerFindings: Finding[];
}

/**
 * What build would write, evaluated by the compiler: written next to the output under a fixed
 * hidden name (so its relative references resolve as the output's will, and an unchanged build
 * finds the evaluation in the cache), evaluated, and removed.
 */
export async function evaluateResult(bicep: BicepInputs, project: Project, text: string): Promise<BicepResult> {
  const output = project.output.path;
  const candidate = join(dirname(output), `.${basename(output, '.bicep')}.aibgen-check.bicep`);
  let evaluation: Evaluation;
  await mkdir(dirname(candidate), { recursive: true });
  // Whatever is at that name (a leftover, or a symlink planted to point elsewhere) goes; the file is created anew, never written through.
  await rm(candidate, { force: true });
  await writeFile(candidate, text, { flag: 'wx' });
  try {
    evaluation = await bicep.session.evaluate(candidate);
  } finally {
    await rm(candidate, { force: true });
  }
  const compilerFindings = compilerFindingsOf(evaluation).map((f) => (f.file === shown(candidate) ? { ...f, file: shown(output) } : f));
  const template = evaluation.templates[bicep.index];
  if (evaluation.failed || !template || evaluation.templates.length !== bicep.evaluation.templates.length) {
    if (compilerFindings.some((f) => f.severity === 'error')) {
      const doc = parseJsonDocument(`${shown(output)} (evaluated)`, '{}');
      return { builtDoc: doc, templatePointer: '', locateOwn: (f) => f, compilerFindings };
    }
    throw new ProjectError(
      `${shown(output)}: the Bicep compiler could not evaluate what build would write${evaluation.failed ? `: ${evaluation.failed}` : ''}; nothing was written`,
    );
  }
  const builtDoc = parseJsonDocument(`${shown(output)} (evaluated)`, JSON.stringify(template, null, 2));
  const locator = new BicepLocator(bicep.evaluation.sources, bicep.evaluation.entry);
  const inputTemplate = bicep.evaluation.templates[bicep.index] as Record<string, unknown>;
  const locateOwn: LocateOwn = (finding, pointer) => {
    const where = locator.locate(inputTemplate, pointer);
    return { ...finding, file: shown(where.file), line: where.line, column: where.column };
  };
  return { builtDoc, templatePointer: findImageTemplates(builtDoc)[0]?.pointer ?? '', locateOwn, compilerFindings };
}
