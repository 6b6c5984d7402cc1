import type { RuleInfo } from '../findings/index.js';

export type { RuleInfo };

/** Every rule the validator applies: a stable id, a short name, and a one-line description. */

const list = [
  ['AIB101', 'unknown-customizer-type', 'A customizer or validator type that the API version does not know (types are case-sensitive from 2024-02-01).'],
  ['AIB102', 'unknown-property', 'A property the API version does not know, usually a misspelling or wrong case (rejected from 2024-02-01).'],
  ['AIB103', 'missing-customizer-name', 'A Shell, PowerShell or File step without a name: logs and errors cannot say which step failed.'],
  ['AIB104', 'duplicate-customizer-name', 'Two steps in one list share a name.'],
  ['AIB105', 'script-source', 'Shell and PowerShell need exactly one of scriptUri and inline.'],
  ['AIB106', 'inline-not-strings', 'inline must be an array of strings (one command each).'],
  ['AIB107', 'checksum-format', 'sha256Checksum must be 64 lowercase hex digits.'],
  ['AIB108', 'missing-checksum', 'A scriptUri or sourceUri without sha256Checksum: the download is not verified.'],
  ['AIB109', 'checksum-without-uri', 'sha256Checksum on an inline step has nothing to check.'],
  ['AIB110', 'run-as-system-without-elevated', 'runAsSystem may only be true together with runElevated: true.'],
  ['AIB111', 'valid-exit-codes', 'validExitCodes must be an array of integers.'],
  ['AIB112', 'restart-timeout', 'restartTimeout is a duration such as 5m, 2h or 30s.'],
  ['AIB113', 'update-settings', 'WindowsUpdate: updateLimit a non-negative integer, filters an array of strings, searchCriteria a string.'],
  ['AIB114', 'step-value-type', 'A step property holds the wrong type of value (a string where a boolean is expected, say).'],
  ['AIB120', 'os-compatibility', 'Shell runs only on Linux; PowerShell, WindowsRestart and WindowsUpdate only on Windows.'],
  ['AIB130', 'file-required', 'A File step needs sourceUri and destination.'],
  ['AIB131', 'file-destination-linux', 'On Linux the File customizer can only write under /tmp.'],
  ['AIB132', 'file-destination-windows', 'On Windows the destination must be an absolute path with a drive letter.'],
  ['AIB133', 'github-blob-url', 'A github.com/.../blob/... URL downloads an HTML page, not the file.'],
  ['AIB134', 'sas-token', 'A URI carries a SAS token (sig=): anyone who can read the template can use it until it expires.'],
  ['AIB135', 'sas-token-expired', "A URI's SAS token has expired (se= is in the past): every download with it fails."],
  ['AIB140', 'deprovision-before-restart', 'The deprovisioning override must be written or edited after every WindowsRestart.'],
  ['AIB141', 'deprovision-removed', 'A later step removes the deprovisioning override.'],
  ['AIB150', 'build-timeout', 'buildTimeoutInMinutes is 0 (default 240) or 6..960; 1..5 fails early.'],
  ['AIB151', 'vm-profile', 'vmProfile: vmSize a string, osDiskSizeGB a non-negative integer.'],
  ['AIB152', 'source', 'The source needs a known type and its required properties.'],
  ['AIB153', 'read-only-property', 'A response-only property copied from an export or GET.'],
  ['AIB160', 'identity', 'A user-assigned identity is required from 2020-02-14, exactly one.'],
  ['AIB170', 'distribute', 'At least one distribution target, each with a known type and its required properties.'],
  ['AIB171', 'run-output-name', 'runOutputName matches ^[A-Za-z0-9-_.]{1,64}$ and is unique in the template.'],
  ['AIB172', 'replication-regions', 'replicationRegions and targetRegions cannot both be set.'],
  ['AIB173', 'template-name', 'The image template name matches ^[A-Za-z0-9-_.]{1,64}$.'],
  ['AIB174', 'customize-shape', 'customize, inVMValidations and distribute are arrays of objects.'],
  ['AIB175', 'enum-value', 'A setting with a fixed set of values (errorHandling, autoRun, optimize, storage account types, versioning) has another value.'],
  ['AIB176', 'vnet-config', 'vnetConfig: containerInstanceSubnetId needs subnetId, and proxyVmSize cannot be set with it.'],
  [
    'AIB180',
    'schema-type',
    "A value of the wrong type or form where the API version's schema says what it must be (an object, a whole number, true/false ...).",
  ],
  ['AIB181', 'schema-required', 'A property the API version requires is missing.'],
  [
    'AIB182',
    'resource-id',
    'A resource ID (imageId, galleryImageId, imageVersionId, stagingResourceGroup, subnetId, identity) does not have the shape the service needs ("Field \'imageId\' has a bad value").',
  ],
  ['AIB183', 'api-version', 'The resource names an API version that does not exist for image templates.'],
  [
    'AIB185',
    'restart-timeout-after-update',
    "A WindowsRestart after Windows Update with a restartTimeout under 30m: the troubleshooting guide's error 1190 (warning).",
  ],
  ['AIB186', 'update-without-vm-size', 'Windows Update on the default VM size: updates and Sysprep time out on the small default (warning).'],
  ['AIB187', 'update-without-restart-before', 'Windows Update not preceded by a WindowsRestart: a pending restart fails it with 0x80240016 (warning).'],
  ['AIB177', 'target-regions', 'Each targetRegions entry needs a name; replicaCount is an integer of 1 or more.'],
  [
    'AIB190',
    'not-checked',
    'A template could not be checked: the Bicep compiler failed, stopped or answered oddly, or the params could not be given (exit 2).',
  ],
  ['AIB188', 'unreplaced-placeholder', 'A value still holds a tutorial placeholder such as <region> or <subscriptionID> (warning).'],
] as const;

export type RuleId = (typeof list)[number][0];

export const RULES: ReadonlyMap<RuleId, RuleInfo> = new Map(list.map(([id, name, description]) => [id, { id, name, description }]));

export function rule(id: RuleId): RuleInfo {
  return RULES.get(id) as RuleInfo;
}
