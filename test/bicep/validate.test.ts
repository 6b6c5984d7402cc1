import { chmod, cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { findBicep } from '../../src/bicep/compiler/index.js';
import { ROOT, aibgen, itWith, tempDir } from '../helpers.js';

/**
 * validate on Bicep, through the real compiler (the Bicep CLI; CI installs 0.49.2 from NuGet): the
 * deployment is evaluated, every image template checked, and each finding placed in the Bicep file
 * and on the literal the value came from, in the caller when a module receives it.
 */

interface Report {
  files: { file: string; findings: { rule: string; severity: string; line: number; column: number; message: string }[]; notes: string[] }[];
  engines?: { name: string; version: string }[];
}

const FIXTURES = join(ROOT, 'test/fixtures/bicep-compiler');
const bicepIt = itWith('bicep');

async function copy(name: string): Promise<string> {
  const dir = join(await tempDir(), name);
  await cp(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

const cacheEnv = async () => ({ XDG_CACHE_HOME: await tempDir('aibgen-cache-') });

describe('validate .bicep through the compiler', () => {
  bicepIt(
    "PSRule for Azure's image builder cases agree: image-001 fails the customize and validate checksum checks, image-002 and image-003 pass",
    async () => {
      const dir = await copy('psrule-cases');
      const result = await aibgen(['validate', 'main.bicep', '--format', 'json'], { cwd: dir, env: await cacheEnv() });
      expect(result.exitCode, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as Report;
      const findings = report.files.flatMap((f) => f.findings.map((x) => `${f.file}:${x.line}:${x.column} ${x.rule} ${x.message.split(':')[0]}`));
      // Azure.ImageBuilder.CustomizeHash and Azure.ImageBuilder.ValidateHash fail on image-001 only, placed on its step literals.
      expect(findings).toEqual([
        'main.bicep:22:20 AIB108 customize[0] "PowerShell installation"',
        'main.bicep:30:22 AIB108 inVMValidations[0] "Validate PowerShell"',
      ]);
    },
  );

  bicepIt('an AVM-style module fed steps by its caller: each planted mistake is an error located in the caller', async () => {
    const dir = await copy('avm-style');
    const result = await aibgen(['validate', 'main.bicep', '--format', 'json'], { cwd: dir, env: await cacheEnv() });
    expect(result.exitCode, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    const findings = report.files.flatMap((f) => f.findings.map((x) => `${f.file}:${x.line}:${x.column} ${x.rule}`));
    expect(findings).toEqual([
      'main.bicep:13:28 AIB150', // buildTimeoutInMinutes: 1000
      'main.bicep:14:20 AIB171', // runOutputName: 'bad name!'
      'main.bicep:27:25 AIB107', // sha256Checksum: 'not-a-checksum'
      'main.bicep:34:22 AIB131', // destination: '/etc/app.conf'
      'main.bicep:37:15 AIB120', // a PowerShell step on Ubuntu
    ]);
    expect(report.engines).toEqual([expect.objectContaining({ name: 'bicep', version: expect.stringMatching(/^\d+\.\d+/) })]);
    const fixed = await aibgen(['validate', join(FIXTURES, 'avm-style-fixed', 'main.bicep')], { env: await cacheEnv() });
    expect(fixed.exitCode, fixed.stdout).toBe(0);
    expect(fixed.stdout).toContain('no problems in 1 file(s)');
  });

  bicepIt('a .bicepparam: its values are evaluated, and a wrong one is located in the .bicepparam', async () => {
    const dir = await copy('avm-style-fixed');
    await writeFile(
      join(dir, 'main.bicep'),
      (await readFile(join(dir, 'main.bicep'), 'utf8'))
        .replace("param location string = 'westeurope'", "param location string = 'westeurope'\nparam timeout int = 60")
        .replace('buildTimeoutInMinutes: 120', 'buildTimeoutInMinutes: timeout'),
    );
    await writeFile(join(dir, 'main.bicepparam'), "using 'main.bicep'\n\nparam timeout = 4000\n");
    const result = await aibgen(['validate', 'main.bicepparam', '--format', 'json'], { cwd: dir, env: await cacheEnv() });
    const findings = (JSON.parse(result.stdout) as Report).files.flatMap((f) => f.findings.map((x) => `${f.file}:${x.line}:${x.column} ${x.rule}`));
    expect(findings).toEqual(['main.bicepparam:3:17 AIB150']);
    expect(result.exitCode).toBe(1);
    // --param wins over the .bicepparam.
    expect((await aibgen(['validate', 'main.bicepparam', '--param', 'timeout=90'], { cwd: dir, env: await cacheEnv() })).exitCode).toBe(0);
  });

  bicepIt("the compiler's own errors are errors with their codes, on their lines", async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'broken.bicep'),
      "param x string = 'a'\nresource t 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {\n  name: x\n  location: y\n}\n",
    );
    const result = await aibgen(['validate', 'broken.bicep', '--format', 'json'], { cwd: dir, env: await cacheEnv() });
    expect(result.exitCode).toBe(1);
    const finding = (JSON.parse(result.stdout) as Report).files[0]!.findings.find((f) => f.rule === 'BCP057');
    expect(finding).toMatchObject({ severity: 'error', line: 4, column: 13 });
  });

  bicepIt('a param with no value is checked with a stand-in no rule judges, and said in a note', async () => {
    const dir = await copy('avm-style-fixed');
    const result = await aibgen(['validate', 'modules/image-template.bicep', '--format', 'json'], { cwd: dir, env: await cacheEnv() });
    const report = JSON.parse(result.stdout) as Report;
    expect(report.files[0]!.notes.join('\n')).toMatch(/param name has no value: checked with a stand-in that no rule judges/);
    expect(report.files.flatMap((f) => f.findings)).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  bicepIt('the second run takes the evaluation from the cache: the compiler is not started; one changed byte starts it', async () => {
    const env = await cacheEnv();
    const dir = await copy('avm-style');
    // The real compiler behind a wrapper that counts its starts.
    const bin = await tempDir();
    const log = join(bin, 'starts');
    await writeFile(join(bin, 'bicep'), `#!/bin/sh\necho start >> '${log}'\nexec '${findBicep()!.path}' "$@"\n`);
    await chmod(join(bin, 'bicep'), 0o755);
    const starts = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    const withWrapper = { ...env, AIBGEN_BICEP: join(bin, 'bicep') };
    const first = await aibgen(['validate', 'main.bicep', '--format', 'json'], { cwd: dir, env: withWrapper });
    expect(await starts()).toBe(1);
    const second = await aibgen(['validate', 'main.bicep', '--format', 'json'], { cwd: dir, env: withWrapper });
    expect(await starts()).toBe(1);
    expect(JSON.parse(second.stdout)).toEqual(JSON.parse(first.stdout));
    await writeFile(
      join(dir, 'modules/image-template.bicep'),
      (await readFile(join(dir, 'modules/image-template.bicep'), 'utf8')).replace("'Standard_D2s_v3'", "'Standard_D4s_v3'"),
    );
    await aibgen(['validate', 'main.bicep'], { cwd: dir, env: withWrapper });
    expect(await starts()).toBe(2);
  });
});

describe('the compiler fails closed', () => {
  bicepIt('a compiler that crashes or hangs gives AIB190 (exit 2), never "no problems"', async () => {
    const dir = await copy('avm-style-fixed');
    const bin = await tempDir();
    await writeFile(join(bin, 'bicep'), '#!/bin/sh\necho "Content-Length: 5"; echo; echo "{bad"\nsleep 1; kill -SEGV $$\n');
    await chmod(join(bin, 'bicep'), 0o755);
    const result = await aibgen(['validate', 'main.bicep'], { cwd: dir, env: { ...(await cacheEnv()), AIBGEN_BICEP: join(bin, 'bicep') } });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toMatch(/AIB190 not-checked {2}could not be checked: the Bicep compiler/);
  });

  bicepIt('without the compiler, validate of Bicep says why it cannot, and how to get it (exit 2)', async () => {
    const result = await aibgen(['validate', join(FIXTURES, 'avm-style', 'main.bicep')], { env: { PATH: '/usr/bin:/bin', HOME: await tempDir() } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('cannot validate Bicep here: the Bicep compiler is not installed');
  });
});
