import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aibgen, itWith, tempDir } from '../helpers.js';
import { makeProject } from '../safety/helpers.js';

const bicepIt = itWith('bicep');

const deployment = (customize: string) => `param location string = resourceGroup().location
resource it 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'img'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '/subscriptions/0/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id': {} }
  }
  properties: {
    source: { type: 'PlatformImage', publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' }
    customize: ${customize}
    distribute: [ { type: 'ManagedImage', imageId: '/subscriptions/0/resourceGroups/r/providers/Microsoft.Compute/images/img', location: location, runOutputName: 'out' } ]
  }
}
`;

describe('build with a Bicep deployment', () => {
  it('a .bicep as the project template is refused with the route that works, naming the place in aibgen.json', async () => {
    const root = await makeProject(join(await tempDir(), 'p'), { template: 'main.bicep' });
    await writeFile(join(root, 'main.bicep'), deployment("[ { type: 'Shell', name: 'hello', inline: [ 'echo hi' ] } ]"));
    const result = await aibgen(['build', root]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/aibgen\.json:\d+:\d+ {2}template: main\.bicep is Bicep/);
    expect(result.stderr).toContain("customize: loadJsonContent('dist/customize.json')");
    expect(result.stderr).not.toContain('not valid JSON');
  });

  bicepIt('the route works: build writes customize.json, the deployment loads it, validate checks it through the compiler', async () => {
    const root = await makeProject(join(await tempDir(), 'p'));
    await writeFile(join(root, 'main.bicep'), deployment("loadJsonContent('dist/customize.json')"));
    const built = await aibgen(['build', root, '--quiet']);
    expect(built.exitCode, built.stderr).toBe(0);
    const validated = await aibgen(['validate', 'main.bicep'], { cwd: root });
    expect(validated.stdout + validated.stderr).toContain('no problems');
    expect(validated.exitCode).toBe(0);
    // What the deployment loads is what is checked: a checksum broken in customize.json is an error.
    const file = join(root, 'dist/customize.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/"sha256Checksum": "[0-9a-f]{8}/, '"sha256Checksum": "XXXXXXXX'));
    const broken = await aibgen(['validate', 'main.bicep'], { cwd: root });
    expect(broken.exitCode).toBe(1);
    expect(broken.stdout).toContain('AIB107');
  });
});
