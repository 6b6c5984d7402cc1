import { readFile } from 'node:fs/promises';
import type { Node } from 'jsonc-parser';
import { InputError, describeFsError } from '../errors.js';
import { findCustomizers, findImageTemplates, inferOs, parseJsonDocument, valueNode, type ImageTemplateRef, type JsonDocument } from '../template/index.js';
import { Checker, isDynamic, type Finding } from './checker.js';
import { NEWEST, isApiVersion, type ApiVersion } from './spec.js';
import { checkDeprovisionOverride, checkSteps } from './steps.js';
import { checkDistribute, checkIdentity, checkProperties, checkSettings, checkSource, checkTemplateName, checkTimeoutAndProfile } from './template-rules.js';

export interface ValidateOptions {
  /** The build VM's OS, when the source does not tell. */
  os?: 'linux' | 'windows';
  /** The API version when the template does not name one literally. */
  apiVersion?: string;
}

export interface FileResult {
  file: string;
  findings: Finding[];
  /** Facts that shaped the check (API version, OS, what was skipped). */
  notes: string[];
}

function versionOf(template: ImageTemplateRef, options: ValidateOptions): { version: ApiVersion; note?: string } {
  const declared = template.apiVersion;
  if (declared && isApiVersion(declared)) return { version: declared };
  if (options.apiVersion) {
    if (!isApiVersion(options.apiVersion)) throw new InputError(`--api-version ${options.apiVersion} is not an AIB API version`, { details: ['known: 2019-05-01-preview, 2020-02-14, 2021-10-01, 2022-02-14, 2022-07-01, 2023-07-01, 2024-02-01, 2025-10-01'] });
    return { version: options.apiVersion, note: declared ? `apiVersion is ${declared}; checked against --api-version ${options.apiVersion}` : undefined };
  }
  const why = declared ? `apiVersion "${declared}" is ${declared.startsWith('[') ? 'an expression' : 'not a known AIB version'}` : 'no apiVersion';
  return { version: NEWEST, note: `${why}; checked against the newest API, ${NEWEST} (use --api-version to choose)` };
}

/** Validates every image template in a parsed document. */
export function validateDocument(doc: JsonDocument, options: ValidateOptions = {}): FileResult {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const templates = findImageTemplates(doc);
  if (templates.length === 0) notes.push('no image template found (neither a bare body with properties.source/customize/distribute nor a Microsoft.VirtualMachineImages/imageTemplates resource)');
  const customizers = findCustomizers(doc, templates, false);
  for (const template of templates) {
    const { version, note } = versionOf(template, options);
    const label = templates.length > 1 ? `${template.name}: ` : '';
    if (note) notes.push(`${label}${note}`);
    const os = options.os ?? inferOs(template);
    if (!os) notes.push(`${label}the OS is not known from the source; OS-specific rules were skipped (use --os linux|windows)`);
    const checker = new Checker(doc, version, os);
    const props = template.properties;
    if (!props || isDynamic(props) || props.type !== 'object') {
      notes.push(`${label}properties is ${props ? 'an expression' : 'missing'}; nothing to check`);
      continue;
    }
    checkTemplateName(checker, template);
    checkIdentity(checker, template);
    checkProperties(checker, props);
    checkSource(checker, props);
    checkTimeoutAndProfile(checker, props);
    checkDistribute(checker, props);
    checkSettings(checker, props);
    // Findings name a step by list position and name: customize[3] "install-nginx".
    const mine = customizers
      .filter((c) => c.template === template)
      .map((c) => ({ ...c, label: `${c.list}[${c.index}]${c.name !== undefined ? ` "${c.name}"` : ''}` }));
    for (const list of ['customize', 'inVMValidations'] as const) {
      const steps = mine.filter((c) => c.list === list);
      const types = checkSteps(checker, steps);
      if (list === 'customize') checkDeprovisionOverride(checker, steps, types);
    }
    for (const key of ['customize'] as const) {
      const value = valueNode(props, key) as Node | undefined;
      if (value && isDynamic(value)) notes.push(`${label}${key} is an expression (${String(value.value).slice(0, 60)}); its steps were not checked`);
    }
    findings.push(...checker.findings);
  }
  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return { file: doc.file, findings, notes };
}

/** Reads and validates one file. Read and parse failures throw (exit 2). */
export async function validateFile(file: string, options: ValidateOptions = {}): Promise<FileResult> {
  if (file.toLowerCase().endsWith('.bicep')) {
    throw new InputError(`${file}: validate reads JSON templates; compile Bicep first (az bicep build --file ${file}) and validate the JSON`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${describeFsError(error)}`, { code: 'E_NOT_FOUND' });
  }
  return validateDocument(parseJsonDocument(file, text), options);
}
