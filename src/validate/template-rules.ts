import type { Node } from 'jsonc-parser';
import { keyOf, properties, propertyNode, stringValue, valueNode, type ImageTemplateRef } from '../template/index.js';
import { closest, describeType, isDynamic, type Checker } from './checker.js';
import { checkKeys } from './properties.js';
import {
  DISTRIBUTE_TYPES,
  READ_ONLY_PROPERTIES,
  SOURCE_TYPES,
  TEMPLATE_PROPERTIES,
  VM_PROFILE_PROPERTIES,
  atLeast,
  nameRegex,
  type ApiVersion,
} from './spec.js';

function knownType(
  checker: Checker,
  node: Node | undefined,
  table: Record<string, { since: ApiVersion; until?: ApiVersion }>,
  where: string,
  holder: Node,
): string | undefined {
  if (!node) {
    checker.report('AIB152', holder, `${where}: no "type"`);
    return undefined;
  }
  if (isDynamic(node)) return undefined;
  const value = node.type === 'string' ? (node.value as string) : '';
  const available = Object.keys(table).filter((t) => atLeast(checker.version, (table[t] as { since: ApiVersion }).since));
  if (available.includes(value)) return value;
  const suggestion = closest(value, available);
  if (suggestion?.caseOnly) {
    checker.report(
      where.startsWith('distribute') ? 'AIB170' : 'AIB152',
      node,
      `${where}: type "${value}": did you mean "${suggestion.name}"? (case-sensitive from API 2024-02-01)`,
      'before-strict-api',
    );
    return suggestion.name;
  }
  checker.report(
    where.startsWith('distribute') ? 'AIB170' : 'AIB152',
    node,
    `${where}: unknown type ${node.type === 'string' ? `"${value}"` : describeType(node)}${suggestion ? `; did you mean "${suggestion.name}"?` : ''} (known: ${available.join(', ')})`,
  );
  return undefined;
}

function requireProps(checker: Checker, object: Node, names: readonly string[], id: 'AIB152' | 'AIB170', where: string): void {
  for (const name of names) {
    if (!propertyNode(object, name)) checker.report(id, object, `${where}: "${name}" is required`);
  }
}

export function checkSource(checker: Checker, props: Node): void {
  const source = valueNode(props, 'source');
  if (!source && copyLoopNames(props).has('source')) return;
  if (!source) {
    checker.report('AIB152', props, 'properties: "source" is required (the image to start from)');
    return;
  }
  if (isDynamic(source) || source.type !== 'object') return;
  const type = knownType(checker, valueNode(source, 'type'), SOURCE_TYPES, 'source', source);
  if (!type) return;
  const spec = SOURCE_TYPES[type] as (typeof SOURCE_TYPES)[string];
  if (spec.until && atLeast(checker.version, spec.until)) {
    checker.report(
      'AIB152',
      valueNode(source, 'type') as Node,
      `source: the ${type} source was removed in API ${spec.until}; use a PlatformImage, ManagedImage or SharedImageVersion source`,
    );
    return;
  }
  requireProps(checker, source, spec.required, 'AIB152', `source (${type})`);
  checkKeys(checker, source, spec.properties, `source (${type})`, new Set(['exactVersion']));
  const exact = propertyNode(source, 'exactVersion');
  if (exact) checker.report('AIB153', exact, 'source: exactVersion is set by the service (read-only); remove it');
  const plan = valueNode(source, 'planInfo');
  if (plan?.type === 'object') requireProps(checker, plan, ['planName', 'planProduct', 'planPublisher'], 'AIB152', 'source.planInfo');
}

export function checkTimeoutAndProfile(checker: Checker, props: Node): void {
  const timeout = valueNode(props, 'buildTimeoutInMinutes');
  if (timeout && !isDynamic(timeout)) {
    const value = timeout.value as unknown;
    if (timeout.type !== 'number' || !Number.isInteger(value) || (value as number) < 0 || (value as number) > 960) {
      checker.report('AIB150', timeout, `buildTimeoutInMinutes must be an integer from 0 to 960 (0 means the default, 240), not ${describeType(timeout)}`);
    } else if ((value as number) >= 1 && (value as number) <= 5) {
      checker.report(
        'AIB150',
        timeout,
        `buildTimeoutInMinutes ${String(value)} is too short to succeed (1-5 fail early with a token-lifetime error); use 0 for the default, or 6 or more (60+ for Windows)`,
        'advisory',
      );
    }
  }
  const profile = valueNode(props, 'vmProfile');
  if (!profile || isDynamic(profile) || profile.type !== 'object') return;
  checkKeys(checker, profile, VM_PROFILE_PROPERTIES, 'vmProfile');
  const size = valueNode(profile, 'vmSize');
  if (size && !isDynamic(size) && size.type !== 'string')
    checker.report('AIB151', size, `vmProfile.vmSize must be a string such as "Standard_D2s_v3", not ${describeType(size)}`);
  const disk = valueNode(profile, 'osDiskSizeGB');
  if (disk && !isDynamic(disk) && (disk.type !== 'number' || !Number.isInteger(disk.value) || (disk.value as number) < 0)) {
    checker.report('AIB151', disk, `vmProfile.osDiskSizeGB must be a non-negative integer (0 keeps the source size), not ${describeType(disk)}`);
  }
}

export function checkIdentity(checker: Checker, template: ImageTemplateRef): void {
  const identity = valueNode(template.node, 'identity');
  if (!identity) {
    if (atLeast(checker.version, '2020-02-14')) {
      checker.report(
        'AIB160',
        template.node,
        `an "identity" with one user-assigned identity is required from API 2020-02-14 (checked against ${checker.version})`,
      );
    }
    return;
  }
  if (isDynamic(identity) || identity.type !== 'object') return;
  const type = valueNode(identity, 'type');
  if (type && !isDynamic(type) && !(type.type === 'string' && ['UserAssigned', 'None'].includes(type.value as string))) {
    const suggestion = type.type === 'string' ? closest(type.value as string, ['UserAssigned', 'None']) : undefined;
    checker.report(
      'AIB160',
      type,
      `identity.type must be "UserAssigned"${suggestion ? `; did you mean "${suggestion.name}"?` : ''} (AIB supports one user-assigned identity, no system-assigned one)`,
      suggestion?.caseOnly ? 'before-strict-api' : undefined,
    );
  }
  const ids = valueNode(identity, 'userAssignedIdentities');
  if (!ids && stringValue(identity, 'type') === 'UserAssigned') {
    checker.report(
      'AIB160',
      identity,
      'identity.type is "UserAssigned" but identity.userAssignedIdentities is missing: name the one identity, as { "<its resource ID>": {} }',
    );
  }
  if (ids && !isDynamic(ids) && ids.type === 'object' && (ids.children?.length ?? 0) !== 1 && stringValue(identity, 'type') !== 'None') {
    checker.report('AIB160', ids, `identity.userAssignedIdentities must hold exactly one identity, not ${ids.children?.length ?? 0}`);
  }
}

/** Properties an ARM property loop (`"copy": [{ "name": "distribute", ... }]`) generates. */
export function copyLoopNames(props: Node): Set<string> {
  const copy = valueNode(props, 'copy');
  return new Set((copy?.type === 'array' ? (copy.children ?? []) : []).map((c) => stringValue(c, 'name')).filter((n): n is string => n !== undefined));
}

export function checkDistribute(checker: Checker, props: Node): void {
  const distribute = valueNode(props, 'distribute');
  if (!distribute && copyLoopNames(props).has('distribute')) return;
  if (!distribute) {
    checker.report('AIB170', props, 'properties: "distribute" is required: at least one ManagedImage, SharedImage or VHD target');
    return;
  }
  if (isDynamic(distribute)) return;
  if (distribute.type !== 'array') {
    checker.report('AIB174', distribute, `distribute must be an array of targets, not ${describeType(distribute)}`);
    return;
  }
  if ((distribute.children ?? []).length === 0)
    checker.report('AIB170', distribute, 'distribute is empty: add at least one ManagedImage, SharedImage or VHD target');
  const seen = new Map<string, Node>();
  (distribute.children ?? []).forEach((target, index) => {
    const where = `distribute[${index}]`;
    if (target.type !== 'object') {
      checker.report('AIB174', target, `${where}: each target must be an object, not ${describeType(target)}`);
      return;
    }
    const type = knownType(checker, valueNode(target, 'type'), DISTRIBUTE_TYPES, where, target);
    const runOutput = valueNode(target, 'runOutputName');
    if (!runOutput) checker.report('AIB171', target, `${where}: "runOutputName" is required (it names the run output resource)`);
    else if (!isDynamic(runOutput)) {
      const value = runOutput.type === 'string' ? (runOutput.value as string) : '';
      if (!nameRegex(checker.version).test(value)) {
        checker.report(
          'AIB171',
          runOutput,
          `${where}: runOutputName ${runOutput.type === 'string' ? `"${value}"` : describeType(runOutput)} must match ${nameRegex(checker.version).source}`,
        );
      } else if (seen.has(value)) {
        checker.report(
          'AIB171',
          runOutput,
          `${where}: runOutputName "${value}" is used by another target (line ${checker.doc.lines.position((seen.get(value) as Node).offset).line}); each needs its own`,
        );
      } else seen.set(value, runOutput);
    }
    if (!type) return;
    const spec = DISTRIBUTE_TYPES[type] as (typeof DISTRIBUTE_TYPES)[string];
    requireProps(checker, target, spec.required(checker.version), 'AIB170', `${where} (${type})`);
    checkKeys(checker, target, spec.properties, `${where} (${type})`);
    if (propertyNode(target, 'replicationRegions') && propertyNode(target, 'targetRegions')) {
      checker.report(
        'AIB172',
        propertyNode(target, 'targetRegions') as Node,
        `${where}: replicationRegions and targetRegions cannot both be set; keep targetRegions (replicationRegions is deprecated from 2022-07-01)`,
      );
    }
  });
}

export function checkProperties(checker: Checker, props: Node): void {
  checkKeys(checker, props, TEMPLATE_PROPERTIES, 'properties', new Set([...READ_ONLY_PROPERTIES, 'copy']));
  for (const prop of properties(props)) {
    if (READ_ONLY_PROPERTIES.has(keyOf(prop))) {
      checker.report('AIB153', prop.children?.[0] as Node, `properties.${keyOf(prop)} is set by the service (read-only, from an export or GET); remove it`);
    }
  }
  for (const key of ['customize'] as const) {
    const list = valueNode(props, key);
    if (list && !isDynamic(list) && list.type !== 'array') checker.report('AIB174', list, `${key} must be an array of steps, not ${describeType(list)}`);
  }
  const validations = valueNode(valueNode(props, 'validate'), 'inVMValidations');
  if (validations && !isDynamic(validations) && validations.type !== 'array') {
    checker.report('AIB174', validations, `validate.inVMValidations must be an array of validators, not ${describeType(validations)}`);
  }
}

export function checkTemplateName(checker: Checker, template: ImageTemplateRef): void {
  const name = valueNode(template.node, 'name');
  if (!name || isDynamic(name) || name.type !== 'string') return;
  if (!nameRegex(checker.version).test(name.value as string)) {
    checker.report('AIB173', name, `the template name "${String(name.value)}" must match ${nameRegex(checker.version).source}`);
  }
}

/** Values from a fixed set: reported with the closest allowed one (case counts from 2024-02-01). */
function checkEnum(checker: Checker, node: Node | undefined, allowed: readonly string[], where: string): void {
  if (!node || isDynamic(node)) return;
  const value = node.type === 'string' ? (node.value as string) : undefined;
  if (value !== undefined && allowed.includes(value)) return;
  const suggestion = value === undefined ? undefined : closest(value, allowed);
  checker.report(
    'AIB175',
    node,
    `${where} is ${value === undefined ? describeType(node) : `"${value}"`}; allowed: ${allowed.map((a) => `"${a}"`).join(', ')}${suggestion ? ` (did you mean "${suggestion.name}"?)` : ''}`,
    suggestion?.caseOnly ? 'before-strict-api' : undefined,
  );
}

export function checkSettings(checker: Checker, props: Node): void {
  const errorHandling = valueNode(props, 'errorHandling');
  for (const key of ['onCustomizerError', 'onValidationError']) checkEnum(checker, valueNode(errorHandling, key), ['cleanup', 'abort'], `errorHandling.${key}`);
  checkEnum(checker, valueNode(valueNode(props, 'autoRun'), 'state'), ['Enabled', 'Disabled'], 'autoRun.state');
  const optimize = valueNode(props, 'optimize');
  checkEnum(checker, valueNode(valueNode(optimize, 'vmBoot'), 'state'), ['Enabled', 'Disabled'], 'optimize.vmBoot.state');
  checkEnum(checker, valueNode(valueNode(optimize, 'workload'), 'state'), ['Enabled', 'Disabled'], 'optimize.workload.state');

  const vnet = valueNode(valueNode(props, 'vmProfile'), 'vnetConfig');
  if (vnet?.type === 'object') {
    const aci = propertyNode(vnet, 'containerInstanceSubnetId');
    if (aci && !propertyNode(vnet, 'subnetId')) {
      checker.report('AIB176', aci, 'vmProfile.vnetConfig.containerInstanceSubnetId needs subnetId (the build subnet in the same virtual network)');
    }
    if (aci && propertyNode(vnet, 'proxyVmSize')) {
      checker.report(
        'AIB176',
        propertyNode(vnet, 'proxyVmSize') as Node,
        'vmProfile.vnetConfig.proxyVmSize cannot be set with containerInstanceSubnetId (isolated builds use no proxy VM)',
      );
    }
  }

  const distribute = valueNode(props, 'distribute');
  const accountTypes = atLeast(checker.version, '2022-07-01') ? ['Standard_LRS', 'Standard_ZRS', 'Premium_LRS'] : ['Standard_LRS', 'Standard_ZRS'];
  (distribute?.type === 'array' ? (distribute.children ?? []) : []).forEach((target, index) => {
    const where = `distribute[${index}]`;
    checkEnum(checker, valueNode(target, 'storageAccountType'), accountTypes, `${where}.storageAccountType`);
    checkEnum(checker, valueNode(target, 'replicationMode'), ['Full', 'Shallow'], `${where}.replicationMode`);
    checkEnum(checker, valueNode(valueNode(target, 'versioning'), 'scheme'), ['Latest', 'Source'], `${where}.versioning.scheme`);
    const regions = valueNode(target, 'targetRegions');
    if (!regions || isDynamic(regions) || regions.type !== 'array') return;
    (regions.children ?? []).forEach((region, r) => {
      const at = `${where}.targetRegions[${r}]`;
      if (region.type !== 'object') {
        checker.report('AIB177', region, `${at} must be an object such as { "name": "westeurope", "replicaCount": 1 }`);
        return;
      }
      if (!propertyNode(region, 'name')) checker.report('AIB177', region, `${at}: "name" (the region) is required`);
      const count = valueNode(region, 'replicaCount');
      if (count && !isDynamic(count) && (count.type !== 'number' || !Number.isInteger(count.value) || (count.value as number) < 1)) {
        checker.report('AIB177', count, `${at}.replicaCount must be an integer of 1 or more, not ${describeType(count)}`);
      }
      checkEnum(checker, valueNode(region, 'storageAccountType'), accountTypes, `${at}.storageAccountType`);
    });
  });
}
