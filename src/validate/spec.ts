import type { Os } from '../util/os.js';
/**
 * What each AIB API version accepts, from ../shared/reference/aib-template-spec.md and the ARM
 * schemas it cites (used as data; see the spec §2 on why the schemas cannot be fed to a strict
 * validator as they are).
 */

export const API_VERSIONS = [
  '2018-02-01-preview',
  '2019-02-01-preview',
  '2019-05-01-preview',
  '2020-02-14',
  '2021-10-01',
  '2022-02-14',
  '2022-07-01',
  '2023-07-01',
  '2024-02-01',
  '2025-10-01',
] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];
export const NEWEST: ApiVersion = '2025-10-01';

export function isApiVersion(value: string): value is ApiVersion {
  return (API_VERSIONS as readonly string[]).includes(value);
}

/** True when `version` is `since` or newer. */
export function atLeast(version: ApiVersion, since: ApiVersion): boolean {
  return API_VERSIONS.indexOf(version) >= API_VERSIONS.indexOf(since);
}

/** Since 2024-02-01 the service rejects wrong case and unknown fields; before, it was lenient. */
export function isStrictApi(version: ApiVersion): boolean {
  return atLeast(version, '2024-02-01');
}

type Since = Record<string, ApiVersion>;

/** Properties per step type, with the version each appeared in. */
const COMMON_STEP: Since = { type: '2018-02-01-preview', name: '2018-02-01-preview' };
export const STEP_PROPERTIES: Record<string, Since> = {
  Shell: { ...COMMON_STEP, scriptUri: '2019-05-01-preview', inline: '2019-02-01-preview', sha256Checksum: '2019-05-01-preview' },
  PowerShell: {
    ...COMMON_STEP,
    scriptUri: '2019-05-01-preview',
    inline: '2019-02-01-preview',
    sha256Checksum: '2019-05-01-preview',
    runElevated: '2019-05-01-preview',
    runAsSystem: '2020-02-14',
    validExitCodes: '2019-02-01-preview',
  },
  File: { ...COMMON_STEP, sourceUri: '2019-05-01-preview', destination: '2019-05-01-preview', sha256Checksum: '2019-05-01-preview' },
  WindowsRestart: { ...COMMON_STEP, restartCommand: '2019-02-01-preview', restartCheckCommand: '2019-02-01-preview', restartTimeout: '2019-02-01-preview' },
  WindowsUpdate: { ...COMMON_STEP, searchCriteria: '2020-02-14', filters: '2020-02-14', updateLimit: '2020-02-14' },
};

/** Customizer types per version (2018-02-01-preview spelled `shell` in lower case). */
export const CUSTOMIZER_TYPES: Since = {
  Shell: '2019-02-01-preview',
  PowerShell: '2019-02-01-preview',
  WindowsRestart: '2019-02-01-preview',
  File: '2019-05-01-preview',
  WindowsUpdate: '2020-02-14',
};
/** In-VM validator types per version. */
export const VALIDATOR_TYPES: Since = { Shell: '2022-02-14', PowerShell: '2022-02-14', File: '2022-07-01' };

export const STEP_OS: Record<string, Os | 'any'> = {
  Shell: 'linux',
  PowerShell: 'windows',
  WindowsRestart: 'windows',
  WindowsUpdate: 'windows',
  File: 'any',
};

export const TEMPLATE_PROPERTIES: Since = {
  source: '2018-02-01-preview',
  customize: '2018-02-01-preview',
  distribute: '2018-02-01-preview',
  buildTimeoutInMinutes: '2019-05-01-preview',
  vmProfile: '2019-05-01-preview',
  stagingResourceGroup: '2022-02-14',
  validate: '2022-02-14',
  optimize: '2022-07-01',
  errorHandling: '2023-07-01',
  autoRun: '2024-02-01',
  managedResourceTags: '2024-02-01',
  additionalDataDisks: '2025-10-01',
};

/** Response-only fields that portal exports and GETs carry; the service does not take them back. */
export const READ_ONLY_PROPERTIES = new Set(['provisioningState', 'provisioningError', 'lastRunStatus', 'exactStagingResourceGroup']);

export const SOURCE_TYPES: Record<string, { since: ApiVersion; until?: ApiVersion; required: string[]; properties: Since }> = {
  PlatformImage: {
    since: '2018-02-01-preview',
    required: ['publisher', 'offer', 'sku', 'version'],
    properties: {
      type: '2018-02-01-preview',
      publisher: '2018-02-01-preview',
      offer: '2018-02-01-preview',
      sku: '2018-02-01-preview',
      version: '2018-02-01-preview',
      planInfo: '2020-02-14',
      exactVersion: '2022-07-01',
    },
  },
  ManagedImage: { since: '2019-02-01-preview', required: ['imageId'], properties: { type: '2019-02-01-preview', imageId: '2019-02-01-preview' } },
  SharedImageVersion: {
    since: '2019-05-01-preview',
    required: ['imageVersionId'],
    properties: { type: '2019-05-01-preview', imageVersionId: '2019-05-01-preview', exactVersion: '2022-07-01' },
  },
  ISO: {
    since: '2018-02-01-preview',
    until: '2020-02-14',
    required: ['sourceUri', 'sha256Checksum'],
    properties: { type: '2018-02-01-preview', sourceUri: '2019-05-01-preview', sourceURI: '2018-02-01-preview', sha256Checksum: '2018-02-01-preview' },
  },
};

const COMMON_TARGET: Since = { type: '2018-02-01-preview', runOutputName: '2018-02-01-preview', artifactTags: '2018-02-01-preview' };
export const DISTRIBUTE_TYPES: Record<string, { since: ApiVersion; required: (version: ApiVersion) => string[]; properties: Since }> = {
  ManagedImage: {
    since: '2018-02-01-preview',
    required: () => ['imageId', 'location'],
    properties: { ...COMMON_TARGET, imageId: '2018-02-01-preview', location: '2018-02-01-preview' },
  },
  SharedImage: {
    since: '2018-02-01-preview',
    required: (version) => (atLeast(version, '2022-07-01') ? ['galleryImageId'] : ['galleryImageId', 'replicationRegions']),
    properties: {
      ...COMMON_TARGET,
      galleryImageId: '2018-02-01-preview',
      replicationRegions: '2018-02-01-preview',
      excludeFromLatest: '2020-02-14',
      storageAccountType: '2020-02-14',
      targetRegions: '2022-07-01',
      versioning: '2022-07-01',
      replicationMode: '2025-10-01',
    },
  },
  VHD: { since: '2019-02-01-preview', required: () => [], properties: { ...COMMON_TARGET, uri: '2022-07-01' } },
};

export const VM_PROFILE_PROPERTIES: Since = {
  vmSize: '2019-05-01-preview',
  osDiskSizeGB: '2020-02-14',
  vnetConfig: '2020-02-14',
  userAssignedIdentities: '2021-10-01',
};

export function nameRegex(version: ApiVersion): RegExp {
  return atLeast(version, '2019-05-01-preview') ? /^[A-Za-z0-9-_.]{1,64}$/ : /^[A-Za-z0-9-_]{1,64}$/;
}

/** Known values for an `os` guess from a platform image. */
