import type { Node } from 'jsonc-parser';
import { InputError, UsageError } from '../errors.js';
import {
  findCustomizers,
  findImageTemplates,
  inferOs,
  parseJsonDocument,
  readTemplateText,
  resolveArmString,
  valueNode,
  type ImageTemplateRef,
  type JsonDocument,
} from '../template/index.js';
import { Checker, describeType, isDynamic, type Finding } from './checker.js';
import { checkSchema } from './schema-check.js';
import { checkDeploymentProperties, checkEnvelope, checkPlaceholders, checkResourceIds } from './resource-rules.js';
import { checkWindowsUpdates } from './windows-update-rules.js';
import type { FileResult } from '../findings/index.js';
import { redact, sasTokenOf } from '../util/redact.js';
import { API_VERSIONS, NEWEST, isApiVersion, type ApiVersion } from './spec.js';
import { checkDeprovisionOverride, checkSteps } from './step-rules.js';
import { checkDistribute, checkIdentity, checkProperties, checkSettings, checkSource, checkTemplateName, checkTimeoutAndProfile } from './template-rules.js';
import type { Os } from '../util/os.js';

export interface ValidateOptions {
  /** The build VM's OS, when the source does not tell. */
  os?: Os;
  /** The API version when the template does not name one literally. */
  apiVersion?: string;
  /** The time SAS expiries are judged against (default: now). */
  now?: Date;
}

/** Every string in the file that is a URL with a SAS token: a warning, or an error once it has expired. */
function checkSasTokens(doc: JsonDocument, findings: Finding[], now: Date): void {
  const checker = new Checker(doc, NEWEST, undefined);
  const visit = (node: Node): void => {
    if (node.type === 'string') {
      const value = node.value as string;
      if (!/^https?:\/\//i.test(value)) return;
      const sas = sasTokenOf(value);
      if (!sas) return;
      const shown = redact(value).slice(0, 160);
      const expiry = sas.expiry ? Date.parse(sas.expiry) : NaN;
      if (!Number.isNaN(expiry) && expiry < now.getTime()) {
        checker.report(
          'AIB135',
          node,
          `${shown}: the SAS token expired at ${sas.expiry}; downloads with it fail (AuthenticationFailed). Issue a new one, or better, give the template's identity Storage Blob Data Reader and drop the token`,
        );
      } else {
        checker.report(
          'AIB134',
          node,
          `${shown}: carries a SAS token${sas.expiry ? ` valid until ${sas.expiry}` : ' with no expiry'}; anyone who can read this template can use it. Prefer the template's managed identity with Storage Blob Data Reader on the container`,
        );
      }
      return;
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(doc.root);
  for (const finding of checker.findings) findings.push(finding);
}

export type { FileResult } from '../findings/index.js';

/** --api-version must name a version this validator knows (checked once, before any file is read). */
export function checkApiVersionOption(version: string | undefined): asserts version is ApiVersion | undefined {
  if (version !== undefined && !isApiVersion(version)) {
    throw new UsageError(`--api-version ${version} is not an AIB API version`, [`known: ${API_VERSIONS.join(', ')}`]);
  }
}

/** The API version the rules are taken from, and, when it was not stated literally, what was assumed and why. */
function versionOf(template: ImageTemplateRef, options: ValidateOptions): { version: ApiVersion; note?: string } {
  const declared = template.apiVersion;
  if (declared && isApiVersion(declared)) return { version: declared };
  // A parameter or variable reference with a literal default: that is the version, said as assumed.
  const resolved = declared?.startsWith('[') ? resolveArmString(valueNode(template.node, 'apiVersion')) : undefined;
  if (resolved && isApiVersion(resolved) && !options.apiVersion)
    return {
      version: resolved,
      note: `apiVersion is ${declared}; checked against its default, ${resolved} (a deployment may pass another; use --api-version)`,
    };
  const reference = declared ? /^\[\s*(parameters|variables)\s*\(\s*'([^']+)'\s*\)\s*\]$/i.exec(declared.trim()) : null;
  const why = !declared
    ? 'the template names no apiVersion'
    : reference
      ? `apiVersion is the ${reference[1] === 'parameters' ? 'parameter' : 'variable'} ${reference[2]}${resolved === undefined ? ' without a default' : ` whose default "${resolved}" is not a known version`}`
      : declared.startsWith('[')
        ? `apiVersion is an expression (${declared.slice(0, 60)})`
        : `apiVersion "${declared}" is not a known AIB version`;
  if (options.apiVersion) {
    checkApiVersionOption(options.apiVersion);
    return { version: options.apiVersion, note: `${why}: checked against --api-version ${options.apiVersion}` };
  }
  return { version: NEWEST, note: `${why}: checked against the newest API, ${NEWEST}; pass --api-version to choose` };
}

/** Validates every image template in a parsed document. */
export function validateDocument(doc: JsonDocument, options: ValidateOptions = {}): FileResult {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const templates = findImageTemplates(doc);
  if (templates.length === 0)
    notes.push(
      'no image template found (neither a bare body with properties.source/customize/distribute nor a Microsoft.VirtualMachineImages/imageTemplates resource)',
    );
  const customizers = findCustomizers(doc, templates, false);
  for (const template of templates) {
    const { version, note } = versionOf(template, options);
    const label = templates.length > 1 ? `${template.name}: ` : '';
    if (note) notes.push(`${label}${note}`);
    const os = options.os ?? inferOs(template);
    if (!os) notes.push(`${label}the OS is not known from the source; OS-specific rules were skipped (use --os linux|windows)`);
    const checker = new Checker(doc, version, os);
    const props = template.properties;
    if (props && !isDynamic(props) && props.type !== 'object') {
      checker.report('AIB180', props, `properties must be an object holding source, customize and distribute; got ${describeType(props)}`);
      findings.push(...checker.findings);
      continue;
    }
    if (!props || isDynamic(props)) {
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
      const value = valueNode(props, key);
      if (value && isDynamic(value)) notes.push(`${label}${key} is an expression (${String(value.value).slice(0, 60)}); its steps were not checked`);
    }
    checkResourceIds(checker, template);
    checkWindowsUpdates(checker, props);
    checkEnvelope(checker, template);
    checkDeploymentProperties(checker, template);
    checkPlaceholders(checker, template);
    // Last: what the API version's schema says that the rules above did not already.
    checkSchema(checker, template, [...checker.findings]);
    for (const finding of checker.findings) findings.push(finding);
  }
  checkSasTokens(doc, findings, options.now ?? new Date());
  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return { file: doc.file, findings, notes };
}

/** Reads and validates one JSON file. Read and parse failures throw (exit 2). Bicep goes through validateBicepFiles. */
export async function validateFile(file: string, options: ValidateOptions = {}): Promise<FileResult> {
  if (/\.bicep(param)?$/i.test(file)) {
    throw new InputError(`${file}: a Bicep file is validated through the Bicep compiler (validateBicepFiles), which evaluates the deployment`);
  }
  const text = await readTemplateText(file);
  const doc = parseJsonDocument(file, text);
  if (findImageTemplates(doc).length === 0) {
    throw new InputError(
      `${file}: holds no image template (neither a bare body with properties.source/customize/distribute nor a Microsoft.VirtualMachineImages/imageTemplates resource)`,
      { details: ['give the template file itself, or compile Bicep to JSON first'] },
    );
  }
  return validateDocument(doc, options);
}
