import { valueNode } from './json-document.js';
import { resolveArmString } from './arm-values.js';
import type { ImageTemplateRef } from './image-templates.js';
import type { Os } from '../util/os.js';

/** Platform image publishers, lower case, by the OS their images run. */
export const WINDOWS_PUBLISHERS = [
  'microsoftwindowsserver',
  'microsoftwindowsdesktop',
  'microsoftvisualstudio',
  'microsoftsqlserver',
  'microsoftwindowsserverhpcpack',
  'microsoftdynamicsax',
  'microsoft-dsvm',
];
export const LINUX_PUBLISHERS = [
  'canonical',
  'redhat',
  'openlogic',
  'suse',
  'debian',
  'almalinux',
  'resf',
  'kinvolk',
  'oracle',
  'microsoftcblmariner',
  'erockyenterprisesoftwarefoundationinc1653071250513',
  'credativ',
  'procomputers',
];

/**
 * The OS of an image template's source, from the platform image's publisher or offer, reading
 * ARM parameter defaults and variables behind `[parameters('publisher')]`; undefined when the
 * source does not tell.
 */
export function inferOs(template: ImageTemplateRef): Os | undefined {
  const source = valueNode(template.properties, 'source');
  const publisher = resolveArmString(valueNode(source, 'publisher'))?.toLowerCase();
  const offer = resolveArmString(valueNode(source, 'offer'))?.toLowerCase() ?? '';
  if (publisher) {
    if (WINDOWS_PUBLISHERS.includes(publisher) || publisher.includes('windows')) return 'windows';
    if (LINUX_PUBLISHERS.includes(publisher)) return 'linux';
  }
  if (/windows|win(10|11|server)/.test(offer)) return 'windows';
  if (/ubuntu|rhel|centos|sles|debian|alma|rocky|oracle-linux|mariner|azure-linux/.test(offer)) return 'linux';
  return undefined;
}
