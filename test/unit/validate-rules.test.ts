import { describe, expect, it } from 'vitest';
import { parseJsonDocument } from '../../src/template/index.js';
import { RULES, validateDocument, type RuleId } from '../../src/validate/index.js';

type Json = Record<string, unknown>;

const linux = (): Json => ({
  type: 'Microsoft.VirtualMachineImages/imageTemplates',
  apiVersion: '2024-02-01',
  name: 'linux-base',
  location: 'westeurope',
  identity: {
    type: 'UserAssigned',
    userAssignedIdentities: { '/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib': {} },
  },
  properties: {
    buildTimeoutInMinutes: 60,
    vmProfile: { vmSize: 'Standard_D2s_v3', osDiskSizeGB: 64 },
    source: { type: 'PlatformImage', publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest' },
    customize: [
      { type: 'Shell', name: 'install', scriptUri: 'https://example.test/install.sh', sha256Checksum: 'a'.repeat(64) },
      { type: 'Shell', name: 'tune', inline: ['sudo sysctl -w vm.swappiness=10'] },
      { type: 'File', name: 'motd', sourceUri: 'https://example.test/motd', destination: '/tmp/motd', sha256Checksum: 'b'.repeat(64) },
    ],
    validate: { inVMValidations: [{ type: 'Shell', name: 'smoke', inline: ['test -f /etc/motd'] }] },
    distribute: [
      { type: 'ManagedImage', imageId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/images/i', location: 'westeurope', runOutputName: 'out' },
    ],
  },
});

const windows = (): Json => {
  const t = linux();
  const p = t.properties as Json;
  p.source = { type: 'PlatformImage', publisher: 'MicrosoftWindowsServer', offer: 'WindowsServer', sku: '2022-datacenter-azure-edition', version: 'latest' };
  p.customize = [
    {
      type: 'PowerShell',
      name: 'setup',
      scriptUri: 'https://example.test/setup.ps1',
      sha256Checksum: 'c'.repeat(64),
      runElevated: true,
      runAsSystem: true,
      validExitCodes: [0, 3010],
    },
    { type: 'WindowsRestart', restartTimeout: '10m' },
    { type: 'WindowsUpdate', searchCriteria: 'IsInstalled=0', filters: ['include:$true'], updateLimit: 40 },
    { type: 'File', name: 'cfg', sourceUri: 'https://example.test/app.config', destination: 'C:\\Windows\\Temp\\app.config', sha256Checksum: 'd'.repeat(64) },
    {
      type: 'File',
      name: 'override',
      sourceUri: 'https://example.test/DeprovisioningScript.ps1',
      destination: 'c:\\DeprovisioningScript.ps1',
      sha256Checksum: 'e'.repeat(64),
    },
  ];
  p.validate = { inVMValidations: [{ type: 'PowerShell', name: 'smoke', inline: ['Test-Path C:\\x'] }] };
  return t;
};

function findings(template: Json, options = {}): RuleId[] {
  const result = validateDocument(parseJsonDocument('t.json', JSON.stringify(template, null, 2)), options);
  return result.findings.map((f) => f.rule as RuleId);
}

const steps = (t: Json): Json[] => (t.properties as Json).customize as Json[];
const props = (t: Json): Json => t.properties as Json;

/** For each rule: a change that breaks it, and one that keeps it (the base templates keep every rule). */
const pairs: [RuleId, () => Json, () => Json][] = [
  [
    'AIB101',
    () => {
      const t = linux();
      steps(t)[0]!.type = 'shell';
      return t;
    },
    () => {
      const t = linux();
      steps(t)[0]!.type = 'Shell';
      return t;
    },
  ],
  [
    'AIB102',
    () => {
      const t = linux();
      steps(t)[0]!.sha256checksum = steps(t)[0]!.sha256Checksum;
      delete steps(t)[0]!.sha256Checksum;
      return t;
    },
    () => linux(),
  ],
  [
    'AIB103',
    () => {
      const t = linux();
      delete steps(t)[0]!.name;
      return t;
    },
    () => {
      const t = windows();
      return t;
    },
  ],
  [
    'AIB104',
    () => {
      const t = linux();
      steps(t)[1]!.name = 'install';
      return t;
    },
    () => linux(),
  ],
  [
    'AIB105',
    () => {
      const t = linux();
      steps(t)[0]!.inline = ['echo both'];
      return t;
    },
    () => linux(),
  ],
  [
    'AIB106',
    () => {
      const t = linux();
      steps(t)[1]!.inline = 'echo not an array';
      return t;
    },
    () => linux(),
  ],
  [
    'AIB107',
    () => {
      const t = linux();
      steps(t)[0]!.sha256Checksum = 'A'.repeat(64);
      return t;
    },
    () => linux(),
  ],
  [
    'AIB108',
    () => {
      const t = linux();
      delete steps(t)[0]!.sha256Checksum;
      return t;
    },
    () => linux(),
  ],
  [
    'AIB109',
    () => {
      const t = linux();
      steps(t)[1]!.sha256Checksum = 'f'.repeat(64);
      return t;
    },
    () => linux(),
  ],
  [
    'AIB110',
    () => {
      const t = windows();
      steps(t)[0]!.runElevated = false;
      return t;
    },
    () => windows(),
  ],
  [
    'AIB111',
    () => {
      const t = windows();
      steps(t)[0]!.validExitCodes = ['0'];
      return t;
    },
    () => windows(),
  ],
  [
    'AIB112',
    () => {
      const t = windows();
      steps(t)[1]!.restartTimeout = '10 minutes';
      return t;
    },
    () => windows(),
  ],
  [
    'AIB113',
    () => {
      const t = windows();
      steps(t)[2]!.updateLimit = -1;
      return t;
    },
    () => windows(),
  ],
  [
    'AIB114',
    () => {
      const t = windows();
      steps(t)[0]!.runElevated = 'true';
      return t;
    },
    () => windows(),
  ],
  [
    'AIB120',
    () => {
      const t = linux();
      steps(t).push({ type: 'PowerShell', name: 'ps', inline: ['x'] });
      return t;
    },
    () => linux(),
  ],
  [
    'AIB130',
    () => {
      const t = linux();
      delete steps(t)[2]!.destination;
      return t;
    },
    () => linux(),
  ],
  [
    'AIB131',
    () => {
      const t = linux();
      steps(t)[2]!.destination = '/etc/motd';
      return t;
    },
    () => linux(),
  ],
  [
    'AIB132',
    () => {
      const t = windows();
      steps(t)[3]!.destination = 'Temp\\app.config';
      return t;
    },
    () => windows(),
  ],
  [
    'AIB133',
    () => {
      const t = linux();
      steps(t)[0]!.scriptUri = 'https://github.com/o/r/blob/main/install.sh';
      return t;
    },
    () => {
      const t = linux();
      steps(t)[0]!.scriptUri = 'https://raw.githubusercontent.com/o/r/main/install.sh';
      return t;
    },
  ],
  [
    'AIB134',
    () => {
      const t = linux();
      steps(t)[0]!.scriptUri = 'https://a.blob.core.windows.net/c/install.sh?sv=2022-11-02&se=2999-01-01&sp=r&sig=abc%3D';
      return t;
    },
    () => linux(),
  ],
  [
    'AIB135',
    () => {
      const t = linux();
      steps(t)[0]!.scriptUri = 'https://a.blob.core.windows.net/c/install.sh?sv=2022-11-02&se=2020-01-01T00:00:00Z&sp=r&sig=abc%3D';
      return t;
    },
    () => {
      const t = linux();
      steps(t)[0]!.scriptUri = 'https://a.blob.core.windows.net/c/install.sh?sv=2022-11-02&se=2999-01-01&sp=r&sig=abc%3D';
      return t;
    },
  ],
  [
    'AIB140',
    () => {
      const t = windows();
      const s = steps(t);
      s.splice(1, 0, s.pop() as Json);
      return t;
    },
    () => windows(),
  ],
  [
    'AIB141',
    () => {
      const t = windows();
      steps(t).push({ type: 'PowerShell', name: 'cleanup', inline: ['Remove-Item -Force c:\\DeprovisioningScript.ps1'] });
      return t;
    },
    () => windows(),
  ],
  [
    'AIB150',
    () => {
      const t = linux();
      props(t).buildTimeoutInMinutes = 1000;
      return t;
    },
    () => {
      const t = linux();
      props(t).buildTimeoutInMinutes = 0;
      return t;
    },
  ],
  [
    'AIB151',
    () => {
      const t = linux();
      (props(t).vmProfile as Json).osDiskSizeGB = -5;
      return t;
    },
    () => linux(),
  ],
  [
    'AIB152',
    () => {
      const t = linux();
      delete (props(t).source as Json).sku;
      return t;
    },
    () => linux(),
  ],
  [
    'AIB153',
    () => {
      const t = linux();
      props(t).provisioningState = 'Succeeded';
      return t;
    },
    () => linux(),
  ],
  [
    'AIB160',
    () => {
      const t = linux();
      delete t.identity;
      return t;
    },
    () => linux(),
  ],
  [
    'AIB170',
    () => {
      const t = linux();
      props(t).distribute = [];
      return t;
    },
    () => linux(),
  ],
  [
    'AIB171',
    () => {
      const t = linux();
      (props(t).distribute as Json[]).push({ type: 'VHD', runOutputName: 'out' });
      return t;
    },
    () => {
      const t = linux();
      (props(t).distribute as Json[]).push({ type: 'VHD', runOutputName: 'vhd' });
      return t;
    },
  ],
  [
    'AIB172',
    () => {
      const t = linux();
      (props(t).distribute as Json[])[0] = {
        type: 'SharedImage',
        galleryImageId: '/x',
        runOutputName: 'sig',
        replicationRegions: ['a'],
        targetRegions: [{ name: 'a' }],
      };
      return t;
    },
    () => {
      const t = linux();
      (props(t).distribute as Json[])[0] = { type: 'SharedImage', galleryImageId: '/x', runOutputName: 'sig', targetRegions: [{ name: 'a' }] };
      return t;
    },
  ],
  [
    'AIB173',
    () => {
      const t = linux();
      t.name = 'has spaces';
      return t;
    },
    () => linux(),
  ],
  [
    'AIB174',
    () => {
      const t = linux();
      props(t).customize = { type: 'Shell' };
      return t;
    },
    () => linux(),
  ],
  [
    'AIB175',
    () => {
      const t = linux();
      props(t).errorHandling = { onCustomizerError: 'Abort' };
      return t;
    },
    () => {
      const t = linux();
      props(t).errorHandling = { onCustomizerError: 'abort' };
      return t;
    },
  ],
  [
    'AIB176',
    () => {
      const t = linux();
      (props(t).vmProfile as Json).vnetConfig = { containerInstanceSubnetId: '/s/aci' };
      return t;
    },
    () => {
      const t = linux();
      (props(t).vmProfile as Json).vnetConfig = { subnetId: '/s/build', containerInstanceSubnetId: '/s/aci' };
      return t;
    },
  ],
  [
    'AIB180',
    () => {
      const t = linux();
      props(t).source = 'x y';
      return t;
    },
    () => linux(),
  ],
  [
    'AIB181',
    () => {
      const t = linux();
      delete t.location;
      return t;
    },
    () => linux(),
  ],
  [
    'AIB182',
    () => {
      const t = linux();
      ((props(t).distribute as Json[])[0] as Json).imageId = '/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/galleries/g/images/i';
      return t;
    },
    () => linux(),
  ],
  [
    'AIB183',
    () => {
      const t = linux();
      t.apiVersion = '2023-01-01';
      return t;
    },
    () => linux(),
  ],
  [
    'AIB185',
    () => {
      const t = windows();
      steps(t).splice(3, 0, { type: 'WindowsRestart', restartTimeout: '10m' });
      return t;
    },
    () => {
      const t = windows();
      steps(t).splice(3, 0, { type: 'WindowsRestart', restartTimeout: '30m' });
      return t;
    },
  ],
  [
    'AIB186',
    () => {
      const t = windows();
      delete (props(t).vmProfile as Json).vmSize;
      return t;
    },
    () => windows(),
  ],
  [
    'AIB187',
    () => {
      const t = windows();
      steps(t).splice(1, 1);
      return t;
    },
    () => windows(),
  ],
  [
    'AIB177',
    () => {
      const t = linux();
      (props(t).distribute as Json[])[0] = { type: 'SharedImage', galleryImageId: '/x', runOutputName: 'sig', targetRegions: [{ name: 'a', replicaCount: 0 }] };
      return t;
    },
    () => {
      const t = linux();
      (props(t).distribute as Json[])[0] = { type: 'SharedImage', galleryImageId: '/x', runOutputName: 'sig', targetRegions: [{ name: 'a', replicaCount: 2 }] };
      return t;
    },
  ],
  [
    'AIB188',
    () => {
      const t = linux();
      t.location = '<region>';
      return t;
    },
    () => {
      const t = linux();
      t.location = 'westeurope';
      return t;
    },
  ],
];

describe('validate rules: a template that breaks each rule, and one that keeps it', () => {
  it('the base templates are clean', () => {
    expect(findings(linux())).toEqual([]);
    expect(findings(windows())).toEqual([]);
  });
  it('covers every rule a template can break (AIB190, the compiler failing, is in test/bicep/validate.test.ts)', () => {
    expect(pairs.map(([id]) => id).sort()).toEqual([...RULES.keys()].filter((id) => id !== 'AIB190').sort());
  });
  for (const [id, bad, good] of pairs) {
    it(`${id} ${RULES.get(id)?.name}`, () => {
      expect(findings(bad())).toContain(id);
      expect(findings(good())).not.toContain(id);
    });
  }
});

describe('validate: versions, case and OS', () => {
  it('wrong case is an error from 2024-02-01 and a warning before, with "did you mean"', () => {
    const t = linux();
    steps(t)[0]!.type = 'shell';
    const strict = validateDocument(parseJsonDocument('t.json', JSON.stringify(t)));
    expect(strict.findings[0]).toMatchObject({ rule: 'AIB101', severity: 'error' });
    expect(strict.findings[0]?.message).toContain('did you mean "Shell"?');
    t.apiVersion = '2022-07-01';
    const lenient = validateDocument(parseJsonDocument('t.json', JSON.stringify(t)));
    expect(lenient.findings[0]).toMatchObject({ rule: 'AIB101', severity: 'warning' });
    steps(t)[0]!.scriptURI = steps(t)[0]!.scriptUri;
    const prop = validateDocument(parseJsonDocument('t.json', JSON.stringify(t)));
    expect(prop.findings.find((f) => f.rule === 'AIB102')?.message).toContain(
      'unknown property "scriptURI"; did you mean "scriptUri"? (names are case-sensitive)',
    );
  });
  it('uses --api-version when apiVersion is an expression, else the newest, and says so', () => {
    const t = linux();
    t.apiVersion = "[parameters('api-version')]";
    props(t).stagingResourceGroup = '/subscriptions/s/resourceGroups/staging';
    expect(validateDocument(parseJsonDocument('t.json', JSON.stringify(t))).notes[0]).toContain('checked against the newest API, 2025-10-01');
    const old = validateDocument(parseJsonDocument('t.json', JSON.stringify(t)), { apiVersion: '2020-02-14' });
    expect(old.findings.map((f) => f.rule)).toContain('AIB102');
  });
  it('skips OS rules with one note when the source does not tell, and takes --os', () => {
    const t = linux();
    props(t).source = { type: 'ManagedImage', imageId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/images/base' };
    steps(t).push({ type: 'PowerShell', name: 'ps', inline: ['x'] });
    const unknown = validateDocument(parseJsonDocument('t.json', JSON.stringify(t)));
    expect(unknown.findings.map((f) => f.rule)).not.toContain('AIB120');
    expect(unknown.notes).toEqual(['the OS is not known from the source; OS-specific rules were skipped (use --os linux|windows)']);
    expect(findings(t, { os: 'linux' })).toContain('AIB120');
  });
  it('does not judge ARM expressions and placeholders as literals (a placeholder is only said to be one)', () => {
    const t = linux();
    props(t).buildTimeoutInMinutes = "[parameters('timeout')]";
    steps(t)[2]!.destination = '<destination>';
    (props(t).distribute as Json[])[0]!.runOutputName = "[concat('x', 'y')]";
    expect(findings(t)).toEqual(['AIB188']);
  });
  it('ISO sources are refused from 2020-02-14, identity is optional before', () => {
    const t = linux();
    props(t).source = { type: 'ISO', sourceUri: 'https://x/rhel.iso', sha256Checksum: 'a'.repeat(64) };
    expect(findings(t)).toContain('AIB152');
    t.apiVersion = '2019-05-01-preview';
    delete t.identity;
    delete (props(t).vmProfile as Json).osDiskSizeGB;
    expect(findings(t)).toEqual(['AIB102', 'AIB101']); // validate and its Shell validator came in 2022-02-14
    delete props(t).validate;
    expect(findings(t)).toEqual([]);
  });
});
