import type { Node } from 'jsonc-parser';
import { properties, stringValue, valueNode, type ImageTemplateRef } from '../template/index.js';
import { describeType, isDynamic, type Checker } from './checker.js';
import { API_VERSIONS, isApiVersion } from './spec.js';

/**
 * Rules for what the schema cannot say: the shapes of resource IDs (the service's own example of a
 * submission error is "Field 'imageId' has a bad value"), the API version named by the resource,
 * ARM's own resource properties, and placeholders left in.
 */

const SEGMENT = '[^/]+';
const SUB_RG = `/subscriptions/${SEGMENT}/resourceGroups/${SEGMENT}`;
const shapes = {
  managedImage: {
    pattern: new RegExp(`^${SUB_RG}/providers/Microsoft\\.Compute/images/${SEGMENT}$`, 'i'),
    example: '/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/images/<name>',
  },
  galleryImage: {
    pattern: new RegExp(`^${SUB_RG}/providers/Microsoft\\.Compute/galleries/${SEGMENT}/images/${SEGMENT}(/versions/${SEGMENT})?$`, 'i'),
    example: '/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/galleries/<gallery>/images/<definition>',
  },
  galleryImageVersion: {
    pattern: new RegExp(
      `^(${SUB_RG}/providers/Microsoft\\.Compute/galleries/${SEGMENT}/images/${SEGMENT}/versions/${SEGMENT}|/(CommunityGalleries|SharedGalleries)/${SEGMENT}/Images/${SEGMENT}/Versions/${SEGMENT})$`,
      'i',
    ),
    example: '/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/galleries/<gallery>/images/<definition>/versions/<version or latest>',
  },
  resourceGroup: { pattern: new RegExp(`^${SUB_RG}$`, 'i'), example: '/subscriptions/<id>/resourceGroups/<name>' },
  subnet: {
    pattern: new RegExp(`^${SUB_RG}/providers/Microsoft\\.Network/virtualNetworks/${SEGMENT}/subnets/${SEGMENT}$`, 'i'),
    example: '/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>',
  },
  identity: {
    pattern: new RegExp(`^${SUB_RG}/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities/${SEGMENT}$`, 'i'),
    example: '/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>',
  },
} as const;

function checkId(checker: Checker, node: Node | undefined, shape: keyof typeof shapes, where: string): void {
  if (!node || node.type !== 'string' || isDynamic(node)) return;
  const value = node.value as string;
  const { pattern, example } = shapes[shape];
  if (!pattern.test(value.trim())) {
    checker.report(
      'AIB182',
      node,
      `${where} is not a resource ID of the right kind ("Field ... has a bad value" at submission): expected ${example}, got ${JSON.stringify(value.slice(0, 120))}`,
    );
  }
}

export function checkResourceIds(checker: Checker, template: ImageTemplateRef): void {
  const props = template.properties;
  const source = valueNode(props, 'source');
  const sourceType = stringValue(source, 'type');
  if (sourceType === 'ManagedImage') checkId(checker, valueNode(source, 'imageId'), 'managedImage', 'source.imageId');
  if (sourceType === 'SharedImageVersion') checkId(checker, valueNode(source, 'imageVersionId'), 'galleryImageVersion', 'source.imageVersionId');
  const distribute = valueNode(props, 'distribute');
  (distribute?.type === 'array' ? (distribute.children ?? []) : []).forEach((target, i) => {
    const type = stringValue(target, 'type');
    if (type === 'ManagedImage') checkId(checker, valueNode(target, 'imageId'), 'managedImage', `distribute[${i}].imageId`);
    if (type === 'SharedImage') checkId(checker, valueNode(target, 'galleryImageId'), 'galleryImage', `distribute[${i}].galleryImageId`);
  });
  checkId(checker, valueNode(props, 'stagingResourceGroup'), 'resourceGroup', 'stagingResourceGroup');
  const vnet = valueNode(valueNode(props, 'vmProfile'), 'vnetConfig');
  checkId(checker, valueNode(vnet, 'subnetId'), 'subnet', 'vmProfile.vnetConfig.subnetId');
  checkId(checker, valueNode(vnet, 'containerInstanceSubnetId'), 'subnet', 'vmProfile.vnetConfig.containerInstanceSubnetId');
  const profileIdentities = valueNode(valueNode(props, 'vmProfile'), 'userAssignedIdentities');
  (profileIdentities?.type === 'array' ? (profileIdentities.children ?? []) : []).forEach((id, i) =>
    checkId(checker, id, 'identity', `vmProfile.userAssignedIdentities[${i}]`),
  );
  for (const entry of properties(valueNode(valueNode(template.node, 'identity'), 'userAssignedIdentities'))) {
    checkId(checker, entry.children?.[0], 'identity', 'identity.userAssignedIdentities key');
  }
}

/** `apiVersion` of the resource must be one that exists (the check then uses the newest, with a note). */
export function checkEnvelope(checker: Checker, template: ImageTemplateRef): void {
  const node = valueNode(template.node, 'apiVersion');
  if (!node || isDynamic(node)) return;
  if (node.type !== 'string') {
    checker.report('AIB183', node, `apiVersion must be a string such as "2024-02-01", not ${describeType(node)}`);
    return;
  }
  const value = node.value as string;
  if (!isApiVersion(value)) {
    checker.report(
      'AIB183',
      node,
      `apiVersion "${value}" is not an API version of Microsoft.VirtualMachineImages/imageTemplates (known: ${API_VERSIONS.join(', ')}); the deployment fails with NoRegisteredProviderFound`,
    );
  }
}

/**
 * ARM's own resource properties, on the image template and on each child resource (a trigger), at
 * every level: dependsOn a list of strings, condition a boolean, copy an object with name and count,
 * comments and scope strings. And a child's apiVersion: one that exists.
 */
export function checkDeploymentProperties(checker: Checker, template: ImageTemplateRef): void {
  if (template.form !== 'arm') return;
  const check = (resource: Node, where: string) => {
    const dependsOn = valueNode(resource, 'dependsOn');
    if (dependsOn && !isDynamic(dependsOn) && (dependsOn.type !== 'array' || (dependsOn.children ?? []).some((d) => d.type !== 'string')))
      checker.report('AIB180', dependsOn, `${where}dependsOn must be a list of resource names or IDs (strings); got ${describeType(dependsOn)}`);
    const condition = valueNode(resource, 'condition');
    if (condition && !isDynamic(condition) && condition.type !== 'boolean')
      checker.report('AIB180', condition, `${where}condition must be true, false or an expression; got ${describeType(condition)}`);
    const copy = valueNode(resource, 'copy');
    if (copy && !isDynamic(copy) && (copy.type !== 'object' || valueNode(copy, 'name')?.type !== 'string' || !valueNode(copy, 'count')))
      checker.report('AIB180', copy, `${where}copy must be an object with a "name" and a "count"; got ${describeType(copy)}`);
    for (const key of ['comments', 'scope']) {
      const node = valueNode(resource, key);
      if (node && !isDynamic(node) && node.type !== 'string') checker.report('AIB180', node, `${where}${key} must be a string; got ${describeType(node)}`);
    }
  };
  check(template.node, '');
  const children = valueNode(template.node, 'resources');
  (children?.type === 'array' ? (children.children ?? []) : []).forEach((child, i) => {
    if (child.type !== 'object') return;
    check(child, `resources[${i}].`);
    const api = valueNode(child, 'apiVersion');
    if (api?.type === 'string' && !isDynamic(api) && !isApiVersion(api.value as string))
      checker.report(
        'AIB183',
        api,
        `resources[${i}].apiVersion "${String(api.value)}" is not an API version of Microsoft.VirtualMachineImages/imageTemplates (known: ${API_VERSIONS.join(', ')})`,
      );
  });
}

const PLACEHOLDER = /<[A-Za-z][A-Za-z0-9_ .-]{0,40}>/;

/** Tutorial placeholders left in values (`<region>`, `<subscriptionID>`): the deployment fails, or builds from the wrong thing. Inline commands are scripts and are left alone. */
export function checkPlaceholders(checker: Checker, template: ImageTemplateRef): void {
  const visit = (node: Node, key: string | undefined): void => {
    if (key === 'inline') return;
    if (node.type === 'string') {
      const value = node.value as string;
      const found = PLACEHOLDER.exec(value);
      // <aibgen:param:x> stands in for a Bicep param nobody gave a value (validate of .bicep): not the user's text.
      if (found && !found[0].startsWith('<aibgen:param:') && !(value.startsWith('[') && !value.startsWith('[[')))
        checker.report('AIB188', node, `${JSON.stringify(value.slice(0, 120))} still holds the placeholder ${found[0]}: replace it with the real value`);
      return;
    }
    if (node.type === 'property') {
      const [k, v] = node.children ?? [];
      if (v) visit(v, k?.value as string);
      return;
    }
    for (const child of node.children ?? []) visit(child, key);
  };
  for (const part of ['identity', 'properties', 'location'] as const) {
    const node = valueNode(template.node, part);
    if (node) visit(node, part);
  }
}
