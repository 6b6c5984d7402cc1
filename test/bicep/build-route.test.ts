import { existsSync } from 'node:fs';
import { readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aibgen, itWith, run, tempDir } from '../helpers.js';
import { makeProject } from '../safety/helpers.js';

const bicepIt = itWith('bicep');
const cacheEnv = async () => ({ XDG_CACHE_HOME: await tempDir('aibgen-cache-') });

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

describe('build with a Bicep template', () => {
  bicepIt(
    'build writes its steps into the .bicep: the literal customize list gains them, every other byte stays, the result compiles and validates, and builds again to the same bytes',
    async () => {
      const root = await makeProject(join(await tempDir(), 'p'), { template: 'main.bicep', output: 'main.built.bicep' });
      const input = deployment(`[
      // the team's base step
      {
        type: 'Shell'
        name: 'base'
        inline: [ 'echo base' ]
      }
    ]`);
      await writeFile(join(root, 'main.bicep'), input);
      const env = await cacheEnv();
      const built = await aibgen(['build', root, '--json'], { env });
      expect(built.exitCode, built.stderr).toBe(0);
      const summary = JSON.parse(built.stdout) as { steps: { name: string; kind: string }[] };
      expect(summary.steps.map((s) => `${s.name}:${s.kind}`)).toEqual(['base:template', 'setup:script', 'site:payload']);
      const output = await readFile(join(root, 'main.built.bicep'), 'utf8');
      // Around the list, the file is as written; the template's element keeps its comment.
      const [before, after] = input.split(/customize: \[[\s\S]*?\n {4}\]\n/) as [string, string];
      expect(output.startsWith(`${before}customize: [\n      // the team's base step\n      {\n        type: 'Shell'\n        name: 'base'`)).toBe(true);
      expect(output.endsWith(after)).toBe(true);
      const artifacts = JSON.parse(await readFile(join(root, 'artifacts.json'), 'utf8')) as { uri: string; sha256: string }[];
      expect(artifacts).toHaveLength(2);
      for (const a of artifacts) expect(output.includes(`Uri: '${a.uri}'\n`) && output.includes(`sha256Checksum: '${a.sha256}'\n`), a.uri).toBe(true);
      // The real compiler agrees: it compiles, and validate through it finds nothing.
      const compiled = await run('bicep', ['build', join(root, 'main.built.bicep'), '--stdout']);
      expect(compiled.exitCode, compiled.stderr).toBe(0);
      const armSteps = (JSON.parse(compiled.stdout) as { resources: { properties: { customize: { name: string }[] } }[] }).resources[0]!.properties.customize;
      expect(armSteps.map((s) => s.name)).toEqual(['base', 'setup', 'site-download', 'site-extract']);
      const validated = await aibgen(['validate', 'main.built.bicep'], { cwd: root, env });
      expect(validated.exitCode, validated.stdout).toBe(0);
      // Re-running changes nothing; --check says current; a changed script makes it stale.
      expect((await aibgen(['build', root, '--quiet'], { env })).exitCode).toBe(0);
      expect(await readFile(join(root, 'main.built.bicep'), 'utf8')).toBe(output);
      expect((await aibgen(['build', root, '--check'], { env })).exitCode).toBe(0);
      await writeFile(join(root, 'scripts/setup.sh.hbs'), `${await readFile(join(root, 'scripts/setup.sh.hbs'), 'utf8')}echo changed\n`);
      const stale = await aibgen(['build', root, '--check'], { env });
      expect(stale.exitCode).toBe(1);
      expect(stale.stdout + stale.stderr).toContain('main.built.bicep');
      expect((await readdir(root)).filter((f) => f.includes('aibgen-check'))).toEqual([]);
      // A symlink planted at the check file's name is replaced, never written through.
      const outside = join(await tempDir(), 'outside.txt');
      await writeFile(outside, 'untouched');
      await symlink(outside, join(root, '.main.built.aibgen-check.bicep'));
      expect((await aibgen(['build', root, '--quiet'], { env })).exitCode).toBe(0);
      expect(await readFile(outside, 'utf8')).toBe('untouched');
      expect((await readdir(root)).filter((f) => f.includes('aibgen-check'))).toEqual([]);
    },
  );

  bicepIt('validation steps go into validate.inVMValidations, existing places a template step, CRLF stays CRLF', async () => {
    const root = await makeProject(join(await tempDir(), 'p'), {
      template: 'main.bicep',
      output: 'main.built.bicep',
      templateSteps: 'drop',
      customize: [{ name: 'setup', script: 'scripts/setup.sh.hbs' }, { existing: 'base' }],
      validate: { inVMValidations: [{ name: 'check', inline: ['test -d /var/www/html'] }], continueDistributeOnFailure: true },
    });
    const input = deployment(
      "[\n      { type: 'Shell', name: 'other', inline: [ 'true' ] }\n      { type: 'Shell', name: 'base', inline: [ 'echo base' ] }\n    ]",
    ).replace(/\n/g, '\r\n');
    await writeFile(join(root, 'main.bicep'), input);
    const built = await aibgen(['build', root, '--quiet'], { env: await cacheEnv() });
    expect(built.exitCode, built.stderr).toBe(0);
    const output = await readFile(join(root, 'main.built.bicep'), 'utf8');
    expect(output).not.toMatch(/[^\r]\n/);
    const compiled = await run('bicep', ['build', join(root, 'main.built.bicep'), '--stdout']);
    expect(compiled.exitCode, compiled.stderr).toBe(0);
    const properties = (JSON.parse(compiled.stdout) as { resources: { properties: Record<string, unknown> }[] }).resources[0]!.properties as {
      customize: { name: string }[];
      validate: { inVMValidations: { name: string }[]; continueDistributeOnFailure: boolean };
    };
    expect(properties.customize.map((s) => s.name)).toEqual(['setup', 'base']);
    expect(properties.validate.inVMValidations.map((s) => s.name)).toEqual(['check']);
    expect(properties.validate.continueDistributeOnFailure).toBe(true);
  });

  bicepIt("a mistake in the template's own step is an error in the .bicep, one in a generated step at its aibgen.json entry; nothing is written", async () => {
    const root = await makeProject(join(await tempDir(), 'p'), { template: 'main.bicep', output: 'main.built.bicep' });
    await writeFile(join(root, 'main.bicep'), deployment("[\n      { type: 'PowerShell', name: 'base', inline: [ 'echo base' ] }\n    ]"));
    const result = await aibgen(['build', root], { env: await cacheEnv() });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/main\.bicep:12:15 {2}AIB120 os-compatibility {2}customize\[0\] "base": PowerShell/);
    expect(existsSync(join(root, 'main.built.bicep'))).toBe(false);
    await writeFile(join(root, 'main.bicep'), deployment('[]'));
    await writeFile(join(root, 'scripts/setup.sh.hbs'), '#!/bin/bash\nset -euo pipefail\nif [ -z "$x" ]; then\n');
    const broken = await aibgen(['build', root], { env: await cacheEnv() });
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toMatch(/scripts\/setup\.sh\.hbs \(rendered\):\d+:\d+/);
    expect(existsSync(join(root, 'main.built.bicep'))).toBe(false);
  });

  it('what build cannot write into is refused with the reason and the route that works (exit 2)', async () => {
    const refused = async (bicep: string, spec: Record<string, unknown>, env: Record<string, string> = {}) => {
      const root = await makeProject(join(await tempDir(), 'p'), { template: 'main.bicep', output: 'main.built.bicep', ...spec });
      await writeFile(join(root, 'main.bicep'), bicep);
      const result = await aibgen(['build', root], { env });
      expect(result.exitCode, result.stderr).toBe(2);
      expect(existsSync(join(root, 'main.built.bicep'))).toBe(false);
      return result.stderr;
    };
    expect(await refused(deployment("loadJsonContent('dist/customize.json')"), {})).toMatch(
      /main\.bicep:11:16 {2}resource it: customize is not a list build can add to: its value is an expression[\s\S]*loadJsonContent\('dist\/customize\.json'\)/,
    );
    expect(await refused(deployment("[for s in range(0, 2): { type: 'Shell', name: 's${s}', inline: [ 'true' ] }]"), {})).toContain(
      'a for expression makes the list',
    );
    expect(await refused(deployment('[]'), { output: 'dist/template.json' })).toMatch(
      /output: the template is Bicep, so the output is the \.bicep build writes/,
    );
    expect(await refused(deployment('[]'), { template: 'main.bicepparam' })).toMatch(/template: main\.bicepparam is a parameters file/);
    expect(await refused("param x string = 'a'\n", {})).toContain('declares no Microsoft.VirtualMachineImages/imageTemplates resource');
    // A spread in properties may set customize (the AVM module does, when steps are given).
    const spread = deployment('[]').replace('    customize: []', '    ...(true ? { customize: [] } : {})');
    expect(spread).toContain('...(true');
    expect(await refused(spread, {})).toContain('its properties spread another object (...), which may set or replace customize');
    // Without the compiler, nothing is written that nobody checked.
    expect(await refused(deployment('[]'), {}, { AIBGEN_BICEP: '/nonexistent/bicep' })).toContain('needs the Bicep compiler');
  });

  bicepIt('a template that refers to files by relative paths is written next to itself', async () => {
    const root = await makeProject(join(await tempDir(), 'p'), { template: 'main.bicep', output: 'dist/main.bicep' });
    await writeFile(join(root, 'main.bicep'), deployment("[\n      { type: 'Shell', name: 'base', inline: [ loadTextContent('vars.json') ] }\n    ]"));
    const result = await aibgen(['build', root], { env: await cacheEnv() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('is in another folder than main.bicep, which refers to files by relative paths');
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
