import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { findBicep } from '../../src/bicep/compiler/index.js';
import { aibgen, itWith, run, tempDir } from '../helpers.js';

/**
 * fill on Bicep through the compiler writes only checksums of the files the deployed steps download:
 * checked against `bicep snapshot` (the compiler's own evaluation, run here by the test), on loops,
 * spreads, module params and .bicepparam overrides.
 */

const bicepIt = itWith('bicep');
const sha = (data: string) => createHash('sha256').update(data).digest('hex');
const site: Record<string, string> = {
  'a.sh': '#!/bin/sh\necho a\n',
  'b.sh': '#!/bin/sh\necho b\n',
  'decoy.sh': '#!/bin/sh\necho decoy\n',
  'default.sh': '#!/bin/sh\necho default\n',
  'shadow.sh': '#!/bin/sh\necho shadow\n',
};
const MAP = ['--map', 'https://example.test/=site'];

async function setup(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, content] of Object.entries({ ...Object.fromEntries(Object.entries(site).map(([k, v]) => [`site/${k}`, v])), ...files })) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

/** The script URIs the deployment downloads, as `bicep snapshot` (the real compiler) predicts them. */
async function deployedUris(dir: string, bicepparam: string): Promise<string[]> {
  const result = await run(findBicep()!.path, ['snapshot', bicepparam], { cwd: dir });
  expect(result.exitCode, result.stderr).toBe(0);
  const snapshot = JSON.parse(await readFile(join(dir, bicepparam.replace(/\.bicepparam$/, '.snapshot.json')), 'utf8')) as {
    predictedResources: { type: string; properties?: { customize?: { scriptUri?: string; sourceUri?: string }[] } }[];
  };
  return snapshot.predictedResources
    .filter((r) => r.type === 'Microsoft.VirtualMachineImages/imageTemplates')
    .flatMap((r) => r.properties?.customize ?? [])
    .map((s) => s.scriptUri ?? s.sourceUri)
    .filter((u): u is string => u !== undefined);
}

/** Every 64-hex value written in the files, by the file of `site/` it is the hash of. */
async function writtenChecksums(dir: string, files: string[]): Promise<string[]> {
  const byHash = new Map(Object.entries(site).map(([name, content]) => [sha(content), name]));
  const found: string[] = [];
  for (const file of files)
    for (const hex of (await readFile(join(dir, file), 'utf8')).match(/[0-9a-f]{64}/g) ?? []) found.push(byHash.get(hex) ?? `unknown ${hex}`);
  return found.sort();
}

const template = (customize: string) => `param location string = 'westeurope'
resource t 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'tpl'
  location: location
  identity: { type: 'UserAssigned', userAssignedIdentities: { '/subscriptions/0/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i': {} } }
  properties: {
    source: { type: 'PlatformImage', publisher: 'Canonical', offer: 'o', sku: 's', version: 'latest' }
    customize: ${customize}
    distribute: []
  }
}
`;

describe('fill on Bicep through the compiler writes only checksums of what deploys', () => {
  bicepIt('a .bicepparam that overrides a param default: the overriding file is hashed into the literal', async () => {
    const main = `param script string = 'https://example.test/default.sh'\n${template("[\n    { type: 'Shell', name: 'from-param', scriptUri: script }\n  ]")}`;
    const dir = await setup({ 'main.bicep': main, 'main.bicepparam': "using 'main.bicep'\nparam script = 'https://example.test/b.sh'\n" });
    const result = await aibgen(['fill', 'main.bicep', 'main.bicepparam', ...MAP], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await deployedUris(dir, 'main.bicepparam')).toEqual(['https://example.test/b.sh']);
    expect(await writtenChecksums(dir, ['main.bicep'])).toEqual(['b.sh']);
  });

  bicepIt('steps passed to a module are filled in the caller, with the values the module deploys', async () => {
    const module = `param steps array\nparam extra string = 'https://example.test/default.sh'\n${template("concat(steps, [\n    { type: 'Shell', name: 'module-own', scriptUri: extra }\n  ])")}`;
    const main = `module m 'modules/image.bicep' = {
  name: 'm'
  params: {
    extra: 'https://example.test/a.sh'
    steps: [
      { type: 'Shell', name: 'from-caller', scriptUri: 'https://example.test/b.sh' }
    ]
  }
}
`;
    const dir = await setup({ 'modules/image.bicep': module, 'main.bicep': main, 'main.bicepparam': "using 'main.bicep'\n" });
    const result = await aibgen(['fill', 'main.bicep', 'modules/image.bicep', ...MAP], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await deployedUris(dir, 'main.bicepparam')).sort()).toEqual(['https://example.test/a.sh', 'https://example.test/b.sh']);
    expect(await writtenChecksums(dir, ['main.bicep'])).toEqual(['b.sh']);
    // The module's own step deploys a.sh (the caller's value), not its default.
    expect(await writtenChecksums(dir, ['modules/image.bicep'])).toEqual(['a.sh']);
  });

  bicepIt('a loop whose variable shadows a param, and a spread that sets the URI: never the decoy, never the shadow', async () => {
    const main = `param n string = 'https://example.test/shadow.sh'
param override object = { scriptUri: 'https://example.test/a.sh' }
var base = 'https://example.test/'
var loopSteps = [for n in ['a', 'b']: { type: 'Shell', name: 'step-\${n}', scriptUri: '\${base}\${n}.sh' }]
var spread = { type: 'Shell', name: 'spread', scriptUri: 'https://example.test/decoy.sh', ...override }
${template('concat(loopSteps, [spread])')}`;
    const dir = await setup({ 'main.bicep': main, 'main.bicepparam': "using 'main.bicep'\n" });
    const result = await aibgen(['fill', 'main.bicep', ...MAP, '--json'], { cwd: dir });
    const uris = await deployedUris(dir, 'main.bicepparam');
    expect(uris).toEqual(['https://example.test/a.sh', 'https://example.test/b.sh', 'https://example.test/a.sh']);
    const written = await writtenChecksums(dir, ['main.bicep']);
    expect(written).not.toContain('decoy.sh');
    expect(written).not.toContain('shadow.sh');
    // One loop literal makes two URIs: no one checksum is right for both, so it is skipped and said.
    const report = JSON.parse(result.stdout) as { files: { customizers: { name: string | null; status: string; reason: string | null }[] }[]; notes: string[] };
    const loop = report.files[0]!.customizers.find((c) => c.reason?.includes('makes 2 steps with 2 different URIs'));
    expect(loop).toMatchObject({ status: 'skipped' });
  });

  bicepIt('--check on .bicep checks the evaluated deployment', async () => {
    const main = `param script string = 'https://example.test/default.sh'\n${template(`[\n    { type: 'Shell', name: 'x', scriptUri: script, sha256Checksum: '${sha(site['default.sh']!)}' }\n  ]`)}`;
    const dir = await setup({ 'main.bicep': main, 'main.bicepparam': "using 'main.bicep'\nparam script = 'https://example.test/b.sh'\n" });
    // Right for the default, wrong for what deploys: the check fails.
    const stale = await aibgen(['fill', '--check', 'main.bicep', 'main.bicepparam', ...MAP], { cwd: dir });
    expect(stale.exitCode).toBe(1);
    expect(stale.stdout).toContain(`expected ${sha(site['b.sh']!)}`);
    const alone = await aibgen(['fill', '--check', 'main.bicep', ...MAP], { cwd: dir });
    expect(alone.exitCode).toBe(0);
  });
});
