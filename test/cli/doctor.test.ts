import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aibgen, tempDir } from '../helpers.js';

interface Report {
  aibgen: string;
  node: string;
  tools: { name: string; found: boolean; path?: string; version?: string; enables: string; without: string }[];
}

describe('aibgen doctor', () => {
  it('lists each outside program with its path and version, and what a missing one costs', async () => {
    const bin = await tempDir();
    const fake = join(bin, 'bicep');
    await writeFile(fake, '#!/bin/sh\necho "Bicep CLI version 9.8.7 (abcdef)"\n');
    await chmod(fake, 0o755);
    const result = await aibgen(['doctor', '--json'], { env: { PATH: '/usr/bin:/bin', AIBGEN_BICEP: fake, AIBGEN_PWSH: join(bin, 'none'), HOME: bin } });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.node).toBe(process.version);
    const byName = new Map(report.tools.map((t) => [t.name, t]));
    expect(byName.get('bicep')).toMatchObject({ found: true, path: fake, version: '9.8.7' });
    expect(byName.get('pwsh')).toMatchObject({ found: false });
    expect(byName.get('pwsh')!.without).toContain('dotnet tool install --global PowerShell');
    expect(byName.get('bash')).toMatchObject({ found: true, path: expect.stringMatching(/\/bash$/) });
    const text = await aibgen(['doctor'], { env: { PATH: '/usr/bin:/bin', AIBGEN_BICEP: fake, AIBGEN_PWSH: join(bin, 'none'), HOME: bin } });
    expect(text.stdout).toMatch(/^found {4}bicep 9\.8\.7 \(/m);
    expect(text.stdout).toMatch(/^missing {2}pwsh\n {9}without it: /m);
  });

  it('--version prints the package version and --help the whole command list, without loading the commands', async () => {
    const version = await aibgen(['--version']);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = await aibgen(['--help']);
    for (const command of ['build', 'publish', 'init', 'import', 'test', 'doctor', 'validate', 'lint', 'fill', 'render', 'deprovision', 'bundle', 'checksum'])
      expect(help.stdout, command).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});
