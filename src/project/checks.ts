import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findNodeAtLocation, type Node } from 'jsonc-parser';
import type { Finding } from '../findings/index.js';
import type { JsonDocument } from '../template/index.js';
import { validateDocument } from '../validate/index.js';
import type { Composed, ComposedEntry } from './compose.js';
import type { StepOutput } from './produce.js';
import type { Project } from './project.js';
import { parsePointer } from '../util/json-pointer.js';
import type { Os } from '../util/os.js';
import { sha256Hex } from '../util/sha256.js';

function isOverrideDestination(destination: string): boolean {
  return destination === '/tmp/DeprovisioningScript.sh' || /^c:[\\/]DeprovisioningScript\.ps1$/i.test(destination);
}

/**
 * The checks on what a build would write: validation of the template, and lint of every script it
 * produced and every inline step of the result. Findings point into files the user can fix: a
 * generated step at its aibgen.json entry, the template's own parts in the input template, a script
 * at its source file (a rendered one by its template's name and the rendered line).
 */

type Lists = { pointer: string; entries: readonly ComposedEntry[] }[];

/**
 * Where a finding on the built template belongs: a generated step at its aibgen.json entry;
 * anything else where `locateOwn` finds it in the template the user edits, with the pointer of a
 * kept template step turned back into its index there (an `existing` step may have moved it).
 */
function relocate(finding: Finding, lists: Lists, locateOwn: LocateOwn): Finding {
  const found = finding.pointer ?? '';
  for (const { pointer, entries } of lists) {
    if (!found.startsWith(`${pointer}/`)) continue;
    const [index = '', ...rest] = found.slice(pointer.length + 1).split('/');
    const entry = entries[Number(index)];
    const step = entry?.step;
    if (step && step.kind !== 'existing') {
      const { file, line = 1, column = 1 } = step.position;
      const message = finding.message.replace(/^(customize|inVMValidations)\[\d+\]( "[^"]*")?: /, '');
      return { ...finding, file, line, column, message: `${step.where} "${step.name}": ${message}` };
    }
    if (entry?.own !== undefined) return locateOwn(finding, [pointer, entry.own, ...rest].join('/'));
  }
  return locateOwn(finding, found);
}

/** A finding placed in the template the user edits, given its pointer there. */
export type LocateOwn = (finding: Finding, pointer: string) => Finding;

/** For a JSON template: the node at the pointer in the input document (a property at its key). */
export function locateInJson(inputDoc: JsonDocument): LocateOwn {
  // The built template is the input with its lists rewritten: pointers outside the lists are the same in both.
  return (finding, pointer) => {
    const node: Node | undefined = findNodeAtLocation(inputDoc.root, parsePointer(pointer));
    if (!node) return { ...finding, file: inputDoc.file };
    const target = node.parent?.type === 'property' ? node.parent : node;
    const { line, column } = inputDoc.lines.position(target.offset);
    return { ...finding, file: inputDoc.file, line, column };
  };
}

export interface BuiltChecks {
  findings: Finding[];
  notes: string[];
  validationErrors: number;
  lintErrors: number;
}

export async function checkBuilt(input: {
  project: Project;
  os: Os;
  /** The built template as JSON (for a Bicep template: its evaluation by the compiler), and where in it the image template is. */
  builtDoc: JsonDocument;
  templatePointer: string;
  composed: Composed;
  produced: readonly StepOutput[];
  lint: boolean;
  locateOwn: LocateOwn;
  /** The build's staging folder: lint's scratch copies go there, so a killed build leaves nothing in $TMPDIR. */
  staging: string;
}): Promise<BuiltChecks> {
  const { project, composed, builtDoc, locateOwn } = input;
  const propsPointer = `${input.templatePointer}/properties`;
  const lists: Lists = [
    { pointer: `${propsPointer}/customize`, entries: composed.customize },
    ...(composed.inVMValidations ? [{ pointer: `${propsPointer}/validate/inVMValidations`, entries: composed.inVMValidations }] : []),
  ];
  // A SAS token in baseUri is called out once by build itself, rather than once per artifact URI.
  const validation = validateDocument(builtDoc, { os: input.os }).findings.filter((f) => f.rule !== 'AIB134');
  const findings = validation.map((f) => relocate(f, lists, locateOwn));
  const notes: string[] = [];
  let lintErrors = 0;
  if (!input.lint) {
    notes.push('scripts and inline steps were not linted (--no-lint)');
  } else {
    const { fileUnit, lintUnits, templateUnits } = await import('../lint/index.js');
    const units = [];
    for (const output of input.produced) {
      const step = output.step;
      const artifact = output.artifact;
      // A file step that delivers the deprovisioning override is checked as one.
      const deliversOverride = step.kind === 'file' && isOverrideDestination(step.destination);
      if (!artifact || (artifact.kind !== 'script' && artifact.kind !== 'deprovision' && !deliversOverride)) continue;
      const bytes = await readFile(artifact.staged ?? join(project.artifacts.path, artifact.file));
      const shown =
        step.kind === 'script'
          ? step.isTemplate
            ? `${step.script.given} (rendered)`
            : step.script.given
          : step.kind === 'file'
            ? step.file.given
            : `${artifact.file} (generated)`;
      const unit = fileUnit(deliversOverride ? step.destination : artifact.file, shown, bytes);
      if (unit) units.push({ ...unit, path: undefined, override: step.kind === 'deprovision' || deliversOverride });
    }
    units.push(...templateUnits(builtDoc));
    // Unchanged scripts in an unchanged template give the same report: reuse it rather than start the engines.
    const report = await lintUnits(units, { scratch: input.staging, cache: { context: sha256Hex(Buffer.from(`${builtDoc.file}\n${builtDoc.text}`)) } });
    notes.push(...report.notes.map((n) => `${n.file}: ${n.message}`));
    for (const finding of report.findings) {
      const located = finding.file === builtDoc.file ? relocate(finding, lists, locateOwn) : finding;
      if (located.severity === 'error') lintErrors++;
      findings.push(located);
    }
  }
  return { findings, notes, validationErrors: validation.filter((f) => f.severity === 'error').length, lintErrors };
}
