import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aibgen, itWith, tempDir } from '../helpers.js';

/** lint on Bicep: the inline commands of the evaluated steps, each finding on its string in the Bicep source. */

const bicepIt = itWith('bicep');

interface Report {
  files: { file: string; findings: { rule: string; line: number; column: number; message: string }[]; notes: string[] }[];
  engines: { name: string }[];
}

describe('lint on .bicep through the compiler', () => {
  bicepIt('inline commands of steps a caller passes to a module are linted on their strings in the caller', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'image.bicep'),
      `param steps array
resource t 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'tpl'
  location: 'westeurope'
  properties: {
    source: { type: 'PlatformImage', publisher: 'Canonical', offer: 'o', sku: 's', version: 'latest' }
    customize: steps
    distribute: []
  }
}
`,
    );
    await writeFile(
      join(dir, 'main.bicep'),
      `var prefix = 'sudo'
module m 'image.bicep' = {
  name: 'm'
  params: {
    steps: [
      {
        type: 'Shell'
        name: 'setup'
        inline: [
          'echo "do not reboot here"'
          '\${prefix} apt-get install nginx'
          'sudo reboot'
        ]
      }
    ]
  }
}
`,
    );
    const result = await aibgen(['lint', '.', '--format', 'json'], { cwd: dir, env: { XDG_CACHE_HOME: await tempDir() } });
    expect(result.exitCode, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    const findings = report.files.flatMap((f) => f.findings.filter((x) => x.rule.startsWith('AIB')).map((x) => `${f.file}:${x.line} ${x.rule}`));
    // The evaluated command is "sudo apt-get install nginx": found on its string in main.bicep (columns inside an
    // interpolated string are the evaluated text's); the echo is text.
    expect(findings).toEqual(['main.bicep:11 AIB210', 'main.bicep:11 AIB208', 'main.bicep:12 AIB205']);
    expect(report.files.flatMap((f) => f.findings).find((x) => x.rule === 'AIB205')).toMatchObject({ line: 12, column: 12 });
    expect(report.engines.map((e) => e.name)).toContain('bicep');
  });

  it('without the compiler, lint on a .bicep says what to do (exit 2)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'main.bicep'), "param x string = 'a'\n");
    const result = await aibgen(['lint', 'main.bicep'], { cwd: dir, env: { AIBGEN_BICEP: '/nonexistent/bicep' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("lint reads Bicep's inline commands through the Bicep compiler: the Bicep compiler is not installed");
  });
});
