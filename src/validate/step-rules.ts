import type { Node } from 'jsonc-parser';
import { propertyNode, stringValue, valueNode, type CustomizerRef } from '../template/index.js';
import { closest, describeType, isDynamic, type Checker } from './checker.js';
import { checkKeys } from './properties.js';
import { CUSTOMIZER_TYPES, STEP_OS, STEP_PROPERTIES, VALIDATOR_TYPES, atLeast, type ApiVersion } from './spec.js';

const HEX64 = /^[0-9a-f]{64}$/;
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const GITHUB_BLOB = /^https?:\/\/github\.com\/[^/]+\/[^/]+\/blob\//i;

/** Resolves a step's `type` to a known one, reporting unknown or wrong-case types. */
function stepType(checker: Checker, step: CustomizerRef): string | undefined {
  const typeNode = valueNode(step.node, 'type');
  const where = step.label;
  if (!typeNode) {
    checker.report('AIB101', step.node, `${where}: no "type"`);
    return undefined;
  }
  if (isDynamic(typeNode)) return undefined;
  if (typeNode.type !== 'string') {
    checker.report('AIB101', typeNode, `${where}: "type" must be a string, not ${describeType(typeNode)}`);
    return undefined;
  }
  const value = typeNode.value as string;
  const table = step.list === 'inVMValidations' ? VALIDATOR_TYPES : CUSTOMIZER_TYPES;
  const kind = step.list === 'inVMValidations' ? 'validator' : 'customizer';
  const available = Object.keys(table).filter((t) => atLeast(checker.version, table[t] as ApiVersion));
  if (checker.version === '2018-02-01-preview' && value === 'shell') return 'Shell';
  if (available.includes(value)) return value;
  if (table[value]) {
    // Its properties are not judged: the type itself is the problem.
    checker.report(
      'AIB101',
      typeNode,
      `${where}: ${kind} type "${value}" needs API version ${table[value]} or later (checked against ${checker.version}); raise apiVersion`,
    );
    return undefined;
  }
  const suggestion = closest(value, available);
  if (suggestion?.caseOnly) {
    checker.report(
      'AIB101',
      typeNode,
      `${where}: ${kind} type "${value}": did you mean "${suggestion.name}"? (types are case-sensitive from API 2024-02-01)`,
      'before-strict-api',
    );
    return suggestion.name;
  }
  checker.report(
    'AIB101',
    typeNode,
    `${where}: unknown ${kind} type "${value}"${suggestion ? `; did you mean "${suggestion.name}"?` : ''} (${kind}s: ${available.join(', ')})`,
  );
  return undefined;
}

function expectBoolean(checker: Checker, step: CustomizerRef, key: string): boolean | undefined {
  const node = valueNode(step.node, key);
  if (!node || isDynamic(node)) return undefined;
  if (node.type !== 'boolean') {
    checker.report('AIB114', node, `${step.label}: "${key}" must be true or false, not ${describeType(node)}`);
    return undefined;
  }
  return node.value as boolean;
}

function expectString(checker: Checker, step: CustomizerRef, key: string): string | undefined {
  const node = valueNode(step.node, key);
  if (!node || isDynamic(node)) return undefined;
  if (node.type !== 'string') {
    checker.report('AIB114', node, `${step.label}: "${key}" must be a string, not ${describeType(node)}`);
    return undefined;
  }
  return node.value as string;
}

function checkChecksum(checker: Checker, step: CustomizerRef, uriKey: 'scriptUri' | 'sourceUri'): void {
  const uri = valueNode(step.node, uriKey);
  const checksum = valueNode(step.node, 'sha256Checksum');
  if (checksum && !isDynamic(checksum)) {
    if (checksum.type !== 'string') {
      checker.report('AIB107', checksum, `${step.label}: sha256Checksum must be a string of 64 lowercase hex digits, not ${describeType(checksum)}`);
    } else {
      const value = checksum.value as string;
      if (value !== '' && !HEX64.test(value)) {
        const fix = HEX64.test(value.toLowerCase()) ? 'write it in lower case (aibgen fill does)' : 'compute it with aibgen fill or sha256sum';
        checker.report(
          'AIB107',
          checksum,
          `${step.label}: sha256Checksum "${value.length > 70 ? `${value.slice(0, 67)}...` : value}" is not 64 lowercase hex digits; ${fix}`,
        );
      }
    }
  }
  if (uri && !checksum && uri.type === 'string' && !isDynamic(uri)) {
    checker.report(
      'AIB108',
      propertyNode(step.node, uriKey) as Node,
      `${step.label}: ${uriKey} has no sha256Checksum, so the download is not verified; add one (aibgen fill computes it)`,
    );
  } else if (uri && checksum?.type === 'string' && checksum.value === '' && !isDynamic(uri)) {
    checker.report('AIB108', checksum, `${step.label}: sha256Checksum is empty, so the download is not verified; aibgen fill computes it`);
  }
  if (uri?.type === 'string' && GITHUB_BLOB.test(uri.value as string)) {
    const raw = (uri.value as string).replace(/^https?:\/\/github\.com\/([^/]+)\/([^/]+)\/blob\//i, 'https://raw.githubusercontent.com/$1/$2/');
    checker.report('AIB133', uri, `${step.label}: ${uriKey} is a github.com .../blob/... page, which downloads HTML, not the file; use ${raw}`);
  }
}

function checkScriptStep(checker: Checker, step: CustomizerRef, type: 'Shell' | 'PowerShell'): void {
  const scriptUri = valueNode(step.node, 'scriptUri');
  const inline = valueNode(step.node, 'inline');
  if (Boolean(scriptUri) === Boolean(inline)) {
    checker.report('AIB105', step.node, `${step.label}: a ${type} step needs exactly one of scriptUri and inline (it has ${scriptUri ? 'both' : 'neither'})`);
  }
  if (scriptUri && !isDynamic(scriptUri) && scriptUri.type !== 'string') {
    checker.report('AIB114', scriptUri, `${step.label}: scriptUri must be a string, not ${describeType(scriptUri)}`);
  }
  if (inline && !isDynamic(inline)) {
    if (inline.type !== 'array') {
      checker.report('AIB106', inline, `${step.label}: inline must be an array of commands (strings), not ${describeType(inline)}; write ["command"]`);
    } else {
      for (const item of inline.children ?? []) {
        if (item.type !== 'string') checker.report('AIB106', item, `${step.label}: each inline entry must be a string command, not ${describeType(item)}`);
      }
    }
  }
  if (inline && valueNode(step.node, 'sha256Checksum') && !scriptUri) {
    checker.report(
      'AIB109',
      propertyNode(step.node, 'sha256Checksum') as Node,
      `${step.label}: sha256Checksum has nothing to check on an inline step; remove it`,
    );
  }
  if (scriptUri) checkChecksum(checker, step, 'scriptUri');
  if (type === 'PowerShell') {
    const elevated = expectBoolean(checker, step, 'runElevated');
    const system = expectBoolean(checker, step, 'runAsSystem');
    if (system === true && elevated !== true) {
      checker.report('AIB110', propertyNode(step.node, 'runAsSystem') as Node, `${step.label}: runAsSystem: true needs runElevated: true as well`);
    }
    const codes = valueNode(step.node, 'validExitCodes');
    if (codes && !isDynamic(codes)) {
      const bad = codes.type !== 'array' ? [codes] : (codes.children ?? []).filter((c) => c.type !== 'number' || !Number.isInteger(c.value));
      for (const node of bad)
        checker.report('AIB111', node, `${step.label}: validExitCodes must be an array of integers such as [0, 3010], not ${describeType(node)}`);
    }
  }
}

function checkFileStep(checker: Checker, step: CustomizerRef): void {
  const source = valueNode(step.node, 'sourceUri');
  const destinationNode = valueNode(step.node, 'destination');
  for (const [key, node] of [
    ['sourceUri', source],
    ['destination', destinationNode],
  ] as const) {
    if (!node) checker.report('AIB130', step.node, `${step.label}: a File step needs "${key}"`);
  }
  if (source) checkChecksum(checker, step, 'sourceUri');
  const destination = expectString(checker, step, 'destination');
  if (destination === undefined || !destinationNode) return;
  if (checker.os === 'linux' && !/^\/tmp\/[^/]/.test(destination.replace(/\/+/g, '/'))) {
    checker.report(
      'AIB131',
      destinationNode,
      `${step.label}: on Linux the File customizer can only write under /tmp (it uploads as the non-root build user); use /tmp/${destination.split('/').pop() || 'file'} and move it with a Shell step`,
    );
  }
  // Windows takes C:/x/y as well as C:\\x\\y; a path without a drive letter is relative to wherever the upload runs.
  if (checker.os === 'windows' && !/^[A-Za-z]:[\\/]/.test(destination)) {
    checker.report(
      'AIB132',
      destinationNode,
      `${step.label}: on Windows the destination must be an absolute path with a drive letter, such as C:\\\\buildArtifacts\\\\${destination.split(/[\\/]/).pop() || 'file'} (its folder must already exist)`,
    );
  }
}

function checkRestartStep(checker: Checker, step: CustomizerRef): void {
  expectString(checker, step, 'restartCommand');
  expectString(checker, step, 'restartCheckCommand');
  const timeout = expectString(checker, step, 'restartTimeout');
  if (timeout !== undefined && /^0+(\.0+)?$/.test(timeout.trim())) {
    // Go's duration parser (the builder's) takes a bare "0", meaning no wait at all.
    checker.report(
      'AIB112',
      valueNode(step.node, 'restartTimeout') as Node,
      `${step.label}: restartTimeout "${timeout}" means no time at all for the VM to come back; the restart check fails at once. Use 5m (the default) or more`,
      'advisory',
    );
  } else if (timeout !== undefined && !GO_DURATION.test(timeout)) {
    checker.report(
      'AIB112',
      valueNode(step.node, 'restartTimeout') as Node,
      `${step.label}: restartTimeout "${timeout}" is not a duration; write it like 5m, 2h, 30s or 1h30m`,
    );
  }
}

function checkUpdateStep(checker: Checker, step: CustomizerRef): void {
  expectString(checker, step, 'searchCriteria');
  const limit = valueNode(step.node, 'updateLimit');
  if (limit && !isDynamic(limit) && (limit.type !== 'number' || !Number.isInteger(limit.value) || (limit.value as number) < 0)) {
    checker.report('AIB113', limit, `${step.label}: updateLimit must be a non-negative integer (0 means 1000), not ${describeType(limit)}`);
  }
  const filters = valueNode(step.node, 'filters');
  if (filters && !isDynamic(filters)) {
    const bad = filters.type !== 'array' ? [filters] : (filters.children ?? []).filter((f) => f.type !== 'string');
    for (const node of bad)
      checker.report(
        'AIB113',
        node,
        `${step.label}: filters must be an array of strings such as "exclude:$_.Title -like '*Preview*'", not ${describeType(node)}`,
      );
  }
}

/** All rules for the steps of one list (customize or inVMValidations). */
export function checkSteps(checker: Checker, steps: readonly CustomizerRef[]): Map<CustomizerRef, string> {
  const types = new Map<CustomizerRef, string>();
  const names = new Map<string, CustomizerRef>();
  for (const step of steps) {
    if (step.node.type !== 'object') {
      checker.report('AIB174', step.node, `${step.label}: each step must be an object, not ${describeType(step.node)}`);
      continue;
    }
    const type = stepType(checker, step);
    const nameNode = valueNode(step.node, 'name');
    if (nameNode?.type === 'string' && !isDynamic(nameNode)) {
      const first = names.get(nameNode.value as string);
      if (first) {
        const { line } = checker.doc.lines.position(first.node.offset);
        // A warning: the service accepts duplicates (its own REST example has two steps of one name), but logs and errors then cannot say which step failed.
        checker.report('AIB104', nameNode, `${step.label}: another step in this list (line ${line}) has the same name; give each step its own name`);
      } else names.set(nameNode.value as string, step);
    } else if (!nameNode && type && ['Shell', 'PowerShell', 'File'].includes(type)) {
      checker.report('AIB103', step.node, `${step.label}: this ${type} step has no "name"; build logs and errors name steps, so give it one`);
    }
    if (!type) continue;
    types.set(step, type);
    checkKeys(checker, step.node, STEP_PROPERTIES[type] ?? {}, step.label);
    const os = STEP_OS[type];
    if (checker.os && os && os !== 'any' && os !== checker.os) {
      checker.report(
        'AIB120',
        valueNode(step.node, 'type') as Node,
        `${step.label}: ${type} runs only on ${os === 'linux' ? 'Linux' : 'Windows'} images, and this source is ${checker.os === 'linux' ? 'Linux' : 'Windows'} (CustomizerNotSupportedForImage)`,
      );
    }
    if (type === 'Shell' || type === 'PowerShell') checkScriptStep(checker, step, type);
    else if (type === 'File') checkFileStep(checker, step);
    else if (type === 'WindowsRestart') checkRestartStep(checker, step);
    else if (type === 'WindowsUpdate') checkUpdateStep(checker, step);
  }
  return types;
}

const LINUX_OVERRIDE = /\/tmp\/DeprovisioningScript\.sh/;
const WINDOWS_OVERRIDE = /c:\\+DeprovisioningScript\.ps1/i;
const REMOVAL = /\b(rm|del|erase|Remove-Item|ri)\b[^\n;|]*(\/tmp\/DeprovisioningScript\.sh|c:\\+DeprovisioningScript\.ps1)/i;

function inlineText(step: CustomizerRef): string {
  const inline = valueNode(step.node, 'inline');
  return (inline?.children ?? []).map((c) => (c.type === 'string' ? (c.value as string) : '')).join('\n');
}

/** The deprovisioning override must be written after every WindowsRestart and never removed later. */
/** Commands that change a file in place rather than write it anew. */
const EDIT = /Get-Content|-replace|\bsed\s+-i|Add-Content|\(Get-Item/i;

export function checkDeprovisionOverride(checker: Checker, steps: readonly CustomizerRef[], types: Map<CustomizerRef, string>): void {
  const writers: { index: number; edits: boolean }[] = [];
  let lastRestart = -1;
  steps.forEach((step, index) => {
    const type = types.get(step);
    if (type === 'WindowsRestart') lastRestart = index;
    const destination = stringValue(step.node, 'destination') ?? '';
    const text = inlineText(step);
    const mentions = LINUX_OVERRIDE.test(destination) || WINDOWS_OVERRIDE.test(destination) || LINUX_OVERRIDE.test(text) || WINDOWS_OVERRIDE.test(text);
    if (!mentions) return;
    if (REMOVAL.test(text)) {
      checker.report(
        'AIB141',
        step.node,
        `${step.label}: removes the deprovisioning script; AIB needs it at the end of the build (a missing Windows script fails the build or leaves an image that does not boot)`,
      );
      return;
    }
    // A step that changes the default script in place (Get-Content ... -replace, sed -i) edits it; one that delivers a file writes the override.
    const delivers = LINUX_OVERRIDE.test(destination) || WINDOWS_OVERRIDE.test(destination);
    writers.push({ index, edits: !delivers && EDIT.test(text) });
  });
  for (const { index, edits } of writers) {
    if (index < lastRestart) {
      const step = steps[index] as CustomizerRef;
      checker.report(
        'AIB140',
        step.node,
        `${step.label}: ${edits ? 'edits the deprovisioning script' : 'writes the deprovisioning override'} before a WindowsRestart (${(steps[lastRestart] as CustomizerRef).label}); put this step last, after every restart`,
      );
    }
  }
}
