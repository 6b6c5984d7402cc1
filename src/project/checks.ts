import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findNodeAtLocation, type Node } from 'jsonc-parser';
import type { Finding } from '../findings/index.js';
import { parseJsonDocument, type ImageTemplateRef, type JsonDocument } from '../template/index.js';
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

function relocate(finding: Finding, lists: Lists, inputDoc: JsonDocument): Finding {
  const found = finding.pointer ?? '';
  for (const { pointer, entries } of lists) {
    if (!found.startsWith(`${pointer}/`)) continue;
    const index = Number(found.slice(pointer.length + 1).split('/')[0]);
    const step = entries[index]?.step;
    if (step && step.kind !== 'existing') {
      const { file, line = 1, column = 1 } = step.position;
      const message = finding.message.replace(/^(customize|inVMValidations)\[\d+\]( "[^"]*")?: /, '');
      return { ...finding, file, line, column, message: `${step.where} "${step.name}": ${message}` };
    }
  }
  const segments = parsePointer(found);
  const node: Node | undefined = findNodeAtLocation(inputDoc.root, segments);
  if (!node) return { ...finding, file: inputDoc.file };
  const target = node.parent?.type === 'property' ? node.parent : node;
  const { line, column } = inputDoc.lines.position(target.offset);
  return { ...finding, file: inputDoc.file, line, column };
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
  inputDoc: JsonDocument;
  template: ImageTemplateRef;
  composed: Composed;
  produced: readonly StepOutput[];
  lint: boolean;
  outputDisplay: string;
  /** The build's staging folder: lint's scratch copies go there, so a killed build leaves nothing in $TMPDIR. */
  staging: string;
}): Promise<BuiltChecks> {
  const { project, composed, inputDoc } = input;
  const builtDoc = parseJsonDocument(input.outputDisplay, composed.text);
  const propsPointer = `${input.template.pointer}/properties`;
  const lists: Lists = [
    { pointer: `${propsPointer}/customize`, entries: composed.customize },
    ...(composed.inVMValidations ? [{ pointer: `${propsPointer}/validate/inVMValidations`, entries: composed.inVMValidations }] : []),
  ];
  // A SAS token in baseUri is called out once by build itself, rather than once per artifact URI.
  const validation = validateDocument(builtDoc, { os: input.os }).findings.filter((f) => f.rule !== 'AIB134');
  const findings = validation.map((f) => relocate(f, lists, inputDoc));
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
      const located = finding.file === builtDoc.file ? relocate(finding, lists, inputDoc) : finding;
      if (located.severity === 'error') lintErrors++;
      findings.push(located);
    }
  }
  return { findings, notes, validationErrors: validation.filter((f) => f.severity === 'error').length, lintErrors };
}
