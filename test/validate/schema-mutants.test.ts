import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseJsonDocument } from '../../src/template/index.js';
import { validateDocument } from '../../src/validate/index.js';
import { ROOT, run, tempDir } from '../helpers.js';

/**
 * validate against the official ARM schemas: rich valid templates (every property the version
 * knows), mutated one place at a time, each mutant judged by the official schema (Microsoft's
 * file, compiled here by ajv with the one fix it needs, independent of the product's generated
 * form) and by `validate`.
 */

/** Why validate rejects what the published schemas accept, rule by rule (reviewed against the spec and the service's behaviour). */
const STRICTER_HEADER = `# Mutants the official schema accepts and aibgen validate rejects (test/validate/schema-mutants.test.ts),
# with the rules that reject them. Reviewed; each rule's reason:
# AIB102 unknown-property: the published schemas leave objects open, but the service rejects unknown fields
#   from 2024-02-01 and ignored them before (a warning there); the spec's section 2 and checklist item 1.
# AIB105 script-source: Shell/PowerShell need exactly one of scriptUri and inline (swagger description).
# AIB107 checksum-format: sha256Checksum is 64 lowercase hex digits (spec section 7).
# AIB110 run-as-system-without-elevated: runAsSystem may only be true with runElevated (2020-02-14 on).
# AIB112 restart-timeout: a Go duration such as 5m; "bogus value" is none.
# AIB130 file-required: a File step without sourceUri or destination downloads nothing (needed in practice).
# AIB131/AIB132: the File destination on Linux must be under /tmp, on Windows absolute with a drive letter.
# AIB152 source: a PlatformImage needs publisher, offer, sku and version to find the image.
# AIB160 identity: from 2020-02-14 exactly one user-assigned identity.
# AIB182 resource-id: IDs of the wrong shape fail at submission ("Field 'imageId' has a bad value").
`;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const VERSIONS = ['2020-02-14', '2022-07-01', '2024-02-01', '2025-10-01'] as const;
const FIXTURES = join(ROOT, 'test/fixtures/aib-schemas');
const EXPRESSION = 'https://schema.management.azure.com/schemas/common/definitions.json#/definitions/expression';

/**
 * The official schema, with only what it needs to compile and to accept valid templates: the
 * external `expression` definition made local, and the `additionalProperties: false` of the
 * discriminated bases dropped (taken literally it rejects every real step, see SOURCES.md).
 */
function official(version: string): ValidateFunction {
  const raw = readFileSync(join(FIXTURES, `arm-schema-${version}.json`), 'utf8')
    .split(EXPRESSION)
    .join('#/definitions/expression');
  const schema = JSON.parse(raw) as { definitions: Record<string, { allOf?: Record<string, unknown>[] }>; resourceDefinitions: { imageTemplates: object } };
  for (const definition of Object.values(schema.definitions)) {
    const base = definition.allOf?.[0];
    if (base && base.additionalProperties === false) delete base.additionalProperties;
  }
  schema.definitions.expression = { type: 'string', pattern: '^\\[.*\\]$' } as never;
  const ajv = new Ajv({ strict: false, allErrors: false });
  return ajv.compile({ definitions: schema.definitions, ...schema.resourceDefinitions.imageTemplates });
}

const after = (version: string, since: string) => version >= since;
const id = (kind: string, name: string) => `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aib/providers/${kind}/${name}`;
const sha = (c: string) => c.repeat(64);

/** A template using every property the version knows, for Windows (PowerShell, restarts, updates) or Linux (Shell). */
function rich(version: string, os: 'windows' | 'linux'): Json {
  const v = (since: string) => after(version, since);
  const windows = os === 'windows';
  const source: Json = windows
    ? {
        type: 'PlatformImage',
        publisher: 'MicrosoftWindowsServer',
        offer: 'WindowsServer',
        sku: '2022-datacenter-azure-edition',
        version: 'latest',
        planInfo: { planName: 'p', planProduct: 'pp', planPublisher: 'ppp' },
      }
    : { type: 'PlatformImage', publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest' };
  const customize: Json[] = windows
    ? [
        {
          type: 'PowerShell',
          name: 'setup',
          scriptUri: 'https://x.test/setup.ps1',
          sha256Checksum: sha('a'),
          runElevated: true,
          runAsSystem: true,
          validExitCodes: [0, 3010],
        },
        { type: 'PowerShell', name: 'inline', inline: ['Write-Output 1'] },
        { type: 'WindowsRestart', name: 'restart', restartCommand: 'shutdown /r /f /t 0', restartCheckCommand: 'echo ok', restartTimeout: '10m' },
        { type: 'WindowsUpdate', name: 'updates', searchCriteria: 'IsInstalled=0', filters: ['include:$true'], updateLimit: 40 },
        { type: 'WindowsRestart', name: 'restart-after-updates', restartTimeout: '30m' },
        { type: 'File', name: 'file', sourceUri: 'https://x.test/f.txt', destination: 'C:\\Windows\\Temp\\f.txt', sha256Checksum: sha('b') },
      ]
    : [
        { type: 'Shell', name: 'setup', scriptUri: 'https://x.test/setup.sh', sha256Checksum: sha('a') },
        { type: 'Shell', name: 'inline', inline: ['echo 1'] },
        { type: 'File', name: 'file', sourceUri: 'https://x.test/f.txt', destination: '/tmp/f.txt', sha256Checksum: sha('b') },
      ];
  const validators: Json[] = windows
    ? [{ type: 'PowerShell', name: 'check', inline: ['Write-Output 1'], runElevated: true, runAsSystem: true, validExitCodes: [0] }]
    : [{ type: 'Shell', name: 'check', scriptUri: 'https://x.test/check.sh', sha256Checksum: sha('c') }];
  if (v('2022-07-01'))
    validators.push({
      type: 'File',
      name: 'check-file',
      sourceUri: 'https://x.test/g.txt',
      destination: windows ? 'C:\\Windows\\Temp\\g.txt' : '/tmp/g.txt',
      sha256Checksum: sha('d'),
    });
  const sharedImage: Json = {
    type: 'SharedImage',
    galleryImageId: id('Microsoft.Compute/galleries', 'g/images/i'),
    runOutputName: 'sig',
    artifactTags: { a: 'b' },
    excludeFromLatest: false,
  };
  if (v('2022-07-01')) {
    sharedImage.targetRegions = [{ name: 'westeurope', replicaCount: 2, storageAccountType: 'Standard_ZRS' }];
    sharedImage.versioning = { scheme: 'Latest', major: 1 };
  } else {
    sharedImage.replicationRegions = ['westeurope'];
    sharedImage.storageAccountType = 'Standard_LRS';
  }
  if (v('2025-10-01')) sharedImage.replicationMode = 'Full';
  const vmProfile: Json = { vmSize: 'Standard_D4s_v5', osDiskSizeGB: 128, vnetConfig: { subnetId: id('Microsoft.Network/virtualNetworks', 'v/subnets/s') } };
  if (v('2021-10-01')) vmProfile.userAssignedIdentities = [id('Microsoft.ManagedIdentity/userAssignedIdentities', 'vm')];
  if (v('2022-07-01')) (vmProfile.vnetConfig as Record<string, Json>).proxyVmSize = 'Standard_A2_v2';
  const properties: Record<string, Json> = {
    buildTimeoutInMinutes: 120,
    vmProfile,
    source,
    customize,
    distribute: [
      { type: 'ManagedImage', imageId: id('Microsoft.Compute/images', 'managed'), location: 'westeurope', runOutputName: 'managed', artifactTags: { a: 'b' } },
      sharedImage,
      { type: 'VHD', runOutputName: 'vhd', ...(v('2024-02-01') ? { uri: 'https://a.blob.core.windows.net/vhds/x.vhd' } : {}) },
    ],
  };
  if (v('2022-07-01')) {
    properties.stagingResourceGroup = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/staging`;
    properties.validate = { continueDistributeOnFailure: false, sourceValidationOnly: false, inVMValidations: validators };
    properties.optimize = { vmBoot: { state: 'Enabled' } };
  }
  if (v('2024-02-01')) {
    properties.errorHandling = { onCustomizerError: 'cleanup', onValidationError: 'cleanup' };
    properties.autoRun = { state: 'Disabled' };
    properties.managedResourceTags = { owner: 'images' };
  }
  if (v('2025-10-01')) {
    properties.additionalDataDisks = [{ sizeGB: 32 }];
    (properties.optimize as Record<string, Json>).workload = { state: 'Disabled' };
  }
  return {
    type: 'Microsoft.VirtualMachineImages/imageTemplates',
    apiVersion: version,
    name: `rich-${os}`,
    location: 'westeurope',
    tags: { env: 'test' },
    identity: { type: 'UserAssigned', userAssignedIdentities: { [id('Microsoft.ManagedIdentity/userAssignedIdentities', 'aib')]: {} } },
    properties,
  };
}

type Path = (string | number)[];
interface Mutant {
  path: Path;
  what: string;
  value: Json;
}

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

function at(root: Json, path: Path): Json {
  let node = root;
  for (const key of path) node = (node as Record<string | number, Json>)[key] as Json;
  return node;
}

function label(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}

/** Every one-place change: a wrong type for each value, an extra key in each object, each property deleted, a bogus value for each string. */
function mutants(base: Json): Mutant[] {
  const out: Mutant[] = [];
  const wrong = (value: Json): Json[] => {
    if (Array.isArray(value)) return ['x y'];
    if (value !== null && typeof value === 'object') return ['x y', [1]];
    if (typeof value === 'string') return [42, 'bogus value'];
    if (typeof value === 'number') return ['yes', -7];
    if (typeof value === 'boolean') return ['yes'];
    return [];
  };
  const visit = (node: Json, path: Path) => {
    if (path.length > 0 && !(path.length === 1 && (path[0] === 'type' || path[0] === 'properties'))) {
      for (const replacement of wrong(node)) {
        const copy = clone(base);
        const parent = at(copy, path.slice(0, -1)) as Record<string | number, Json>;
        parent[path.at(-1) as string | number] = replacement;
        out.push({ path, what: `${label(path)} = ${JSON.stringify(replacement)}`, value: copy });
      }
    }
    if (Array.isArray(node)) node.forEach((child, i) => visit(child, [...path, i]));
    else if (node !== null && typeof node === 'object') {
      const extra = clone(base);
      (at(extra, path) as Record<string, Json>).bogusKey = true;
      out.push({ path, what: `${label(path)}.bogusKey added`, value: extra });
      for (const key of Object.keys(node)) {
        if (path.length === 0 && key === 'type') continue;
        const copy = clone(base);
        delete (at(copy, path) as Record<string, Json>)[key];
        out.push({ path: [...path, key], what: `${label([...path, key])} deleted`, value: copy });
        visit(node[key] as Json, [...path, key]);
      }
    }
  };
  visit(base, []);
  return out;
}

function verdict(template: Json): { error: boolean; rules: string[] } {
  const result = validateDocument(parseJsonDocument('t.json', JSON.stringify(template, null, 2)));
  const errors = result.findings.filter((f) => f.severity === 'error').map((f) => f.rule);
  const noTemplate = result.notes.some((n) => n.startsWith('no image template found'));
  return { error: errors.length > 0 || noTemplate, rules: noTemplate ? ['(no image template: exit 2)'] : errors };
}

describe('validate against the official schemas, mutant by mutant', () => {
  it('schema/aib/ is what the generator makes from the committed official files (test/fixtures/aib-schemas)', async () => {
    const out = await tempDir();
    const made = await run('node', [join(ROOT, 'scripts/generate-validate-schemas.mjs'), FIXTURES, out]);
    expect(made.exitCode, made.stderr).toBe(0);
    for (const file of readdirSync(join(ROOT, 'schema/aib')))
      expect(readFileSync(join(out, file)).equals(readFileSync(join(ROOT, 'schema/aib', file))), file).toBe(true);
  });

  const stricter: string[] = [];
  const missed: string[] = [];
  let rejected = 0;
  let caught = 0;

  for (const version of VERSIONS) {
    for (const os of ['windows', 'linux'] as const) {
      it(`${version} ${os}: the rich template is valid for both, and validate catches what the schema rejects`, () => {
        const schema = official(version);
        const base = rich(version, os);
        expect(schema(base), JSON.stringify(schema.errors)).toBe(true);
        const baseResult = validateDocument(parseJsonDocument('t.json', JSON.stringify(base, null, 2)));
        expect(baseResult.findings.map((f) => `${f.rule} ${f.message}`)).toEqual([]);
        for (const mutant of mutants(base)) {
          const schemaRejects = !schema(mutant.value);
          const ours = verdict(mutant.value);
          if (schemaRejects) {
            rejected++;
            if (ours.error) caught++;
            else missed.push(`${version} ${os} ${mutant.what}`);
          } else if (ours.error) {
            stricter.push(`${version} ${os} ${mutant.what}: ${[...new Set(ours.rules)].join(' ')}`);
          }
        }
      });
    }
  }

  it('catches at least 97% of what the official schema rejects; what it alone rejects is reviewed', async () => {
    console.log(`official schema rejects ${rejected} mutants; validate reports an error on ${caught} (${((100 * caught) / rejected).toFixed(1)}%)`);
    expect(rejected).toBeGreaterThan(1000);
    const rate = caught / rejected;
    expect(rate, `missed ${missed.length} of ${rejected}:\n${missed.join('\n')}`).toBeGreaterThanOrEqual(0.97);
    // The only misses: a bare body (what az image builder create and the REST API take) carries no
    // name or apiVersion; they come from the URL or the command line, so their absence is right there.
    expect([...new Set(missed.map((m) => m.replace(/^\S+ \S+ /, '')))].sort()).toEqual(['.apiVersion deleted', '.name deleted']);
    await expect(
      `${STRICTER_HEADER}${[...new Set(stricter.map((s) => s.replace(/^\S+ \S+ /, '').replace(/\[\d+\]/g, '[n]')))].sort().join('\n')}\n`,
    ).toMatchFileSnapshot('./schema-mutants.stricter.txt');
  });
});
