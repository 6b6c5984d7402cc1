import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aibgen, checkWithShellcheck, run, tempDir } from '../helpers.js';
import { makeProject } from '../safety/helpers.js';

type Step = Record<string, unknown> & { type: string; name?: string };
const customizeOf = async (root: string): Promise<Step[]> => JSON.parse(await readFile(join(root, 'dist/customize.json'), 'utf8')) as Step[];

async function withTemplateSteps(root: string, steps: Step[]): Promise<void> {
  const path = join(root, 'template.json');
  const text = await readFile(path, 'utf8');
  await writeFile(path, text.replace('"customize": []', `"customize": ${JSON.stringify(steps, null, 2).replace(/\n/g, '\n    ')}`));
}

describe("the template's own steps (build 1)", () => {
  it('are listed in the summary (kind template), kept first by default, dropped with templateSteps "drop", placed with existing', async () => {
    const root = await makeProject(join(await tempDir(), 'p'), { customize: [{ name: 'mine', inline: ['echo mine'] }, { existing: 'moved' }] });
    await withTemplateSteps(root, [
      { type: 'Shell', name: 'first', inline: ['echo 1'] },
      { type: 'Shell', name: 'moved', inline: ['echo 2'] },
    ]);
    const result = await aibgen(['build', root, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { steps: { name: string; kind: string; customizers: string[] }[] };
    expect(summary.steps.map((s) => [s.name, s.kind])).toEqual([
      ['first', 'template'],
      ['mine', 'inline'],
      ['moved', 'existing'],
    ]);
    expect((await customizeOf(root)).map((s) => s.name)).toEqual(['first', 'mine', 'moved']);
    const text = await aibgen(['build', root]);
    expect(text.stdout).toMatch(/^first +template +- +- +-$/m);

    const spec = JSON.parse(await readFile(join(root, 'aibgen.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(root, 'aibgen.json'), JSON.stringify({ ...spec, templateSteps: 'drop' }, null, 2));
    expect((await aibgen(['build', root, '--quiet'])).exitCode).toBe(0);
    expect((await customizeOf(root)).map((s) => s.name)).toEqual(['mine', 'moved']);
  });

  it('a finding on a template step that existing moved is placed on that step in the template, not on what is now at its index', async () => {
    const root = await makeProject(join(await tempDir(), 'p'), { customize: [{ name: 'mine', inline: ['echo mine'] }, { existing: 'moved' }] });
    await withTemplateSteps(root, [
      { type: 'PowerShell', name: 'moved', inline: ['Write-Host 1'] },
      { type: 'Shell', name: 'kept', inline: ['echo 2'] },
    ]);
    // The result is kept, mine, moved: "moved" is customize[2] there and customize[0] in template.json.
    const result = await aibgen(['build', root]);
    expect(result.exitCode).toBe(1);
    const text = await readFile(join(root, 'template.json'), 'utf8');
    const line = text.slice(0, text.indexOf('"type": "PowerShell"')).split('\n').length;
    expect(result.stderr).toMatch(new RegExp(`template\\.json:${line}:\\d+ {2}AIB120 `));
  });

  it('a step re-created in aibgen.json under the same name is an error in both files, with the fixes', async () => {
    const root = await makeProject(join(await tempDir(), 'p'), { customize: [{ name: 'setup', script: 'scripts/setup.sh.hbs' }] });
    await withTemplateSteps(root, [{ type: 'Shell', name: 'setup', inline: ['echo from the template'] }]);
    const result = await aibgen(['build', root]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/aibgen\.json:\d+:\d+ {2}customize\[0\] and .*template\.json:\d+:\d+ {2}the template's own step: both are named "setup"/);
    expect(result.stderr).toContain('{ "existing": "setup" }');
    expect(result.stderr).toContain('"templateSteps": "drop"');
    expect(result.stderr).not.toContain('dist/template.json');
    expect(await readdir(root)).not.toContain('dist');
  });
});

describe('init, build, commit, clone, check (build 2)', () => {
  it('a project made by init passes build --check in a fresh clone', async () => {
    const base = await tempDir();
    const repo = join(base, 'repo');
    for (const os of ['linux', 'windows']) {
      expect((await aibgen(['init', join(repo, os), '--os', os])).exitCode).toBe(0);
      expect((await aibgen(['build', join(repo, os), '--quiet'])).exitCode).toBe(0);
    }
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'core.autocrlf=true', ...args], { cwd });
    git(repo, 'init', '-q');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'image');
    expect(git(repo, 'ls-files').toString()).toContain('linux/dist/template.json');
    git(base, 'clone', '-q', repo, 'clone');
    for (const os of ['linux', 'windows']) {
      const check = await aibgen(['build', join(base, 'clone', os), '--check']);
      expect(check.stderr).toBe('aibgen: the built template and artifacts are current\n');
      expect(check.exitCode).toBe(0);
    }
  });
});

describe('scripts are checked as scripts (build 3)', () => {
  it('a CRLF .sh is refused with the fix, or converted when the step says "eol": "lf"', async () => {
    const root = await makeProject(join(await tempDir(), 'p'), { customize: [{ name: 'crlf', script: 'scripts/crlf.sh' }] });
    await writeFile(join(root, 'scripts/crlf.sh'), '#!/bin/bash\r\necho hi\r\n');
    const refused = await aibgen(['build', root]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('scripts/crlf.sh has CRLF line endings; on the VM it fails with "cannot execute: required file not found"');
    expect(refused.stderr).toContain('"eol": "lf"');
    const spec = JSON.parse(await readFile(join(root, 'aibgen.json'), 'utf8')) as { customize: Record<string, unknown>[] };
    spec.customize[0]!.eol = 'lf';
    await writeFile(join(root, 'aibgen.json'), JSON.stringify(spec));
    expect((await aibgen(['build', root, '--quiet'])).exitCode).toBe(0);
    const artifact = (await readdir(join(root, 'dist/artifacts'))).find((f) => f.startsWith('crlf.')) as string;
    expect(await readFile(join(root, 'dist/artifacts', artifact), 'utf8')).toBe('#!/bin/bash\necho hi\n');
    expect((await run('bash', [join(root, 'dist/artifacts', artifact)])).stdout).toBe('hi\n');
  });

  it('a non-ASCII .ps1 without a BOM gets a warning; .bat and .py are refused with how to run them', async () => {
    const base = await tempDir();
    const win = join(base, 'w');
    await cp(join(process.cwd(), 'templates/init/windows'), win, { recursive: true });
    const spec = (steps: unknown[]) => ({
      template: 'template.json',
      output: 'dist/template.json',
      artifacts: 'dist/artifacts',
      baseUri: 'https://x.test/a/',
      customize: steps,
    });
    await writeFile(join(win, 'scripts/umlaut.ps1'), 'Write-Output "Grüße"\r\n');
    await writeFile(join(win, 'aibgen.json'), JSON.stringify(spec([{ name: 'u', script: 'scripts/umlaut.ps1' }])));
    const warned = await aibgen(['build', win, '--quiet']);
    expect(warned.exitCode).toBe(0);
    expect(warned.stderr).toContain('holds non-ASCII text without a UTF-8 BOM; Windows PowerShell 5.1 reads it in the ANSI code page');
    await writeFile(join(win, 'scripts/setup.bat'), '@echo off\r\n');
    await writeFile(join(win, 'aibgen.json'), JSON.stringify(spec([{ name: 'legacy', script: 'scripts/setup.bat' }])));
    const bat = await aibgen(['build', win]);
    expect(bat.exitCode).toBe(2);
    expect(bat.stderr).toContain('"scripts/setup.bat" is neither a .sh (Shell) nor a .ps1 (PowerShell) script');
    expect(bat.stderr).toContain('{"name":"legacy","file":"scripts/setup.bat","destination":"C:\\\\Windows\\\\Temp\\\\setup.bat"}');
    expect(bat.stderr).toContain('{"name":"run-legacy","inline":["& \'C:\\\\Windows\\\\Temp\\\\setup.bat\'; if ($LASTEXITCODE) { exit $LASTEXITCODE }"]}');
    const lin = await makeProject(join(base, 'l'), { customize: [{ name: 'tool', script: 'scripts/tool.py' }] });
    await writeFile(join(lin, 'scripts/tool.py'), 'print(1)\n');
    const py = await aibgen(['build', lin]);
    expect(py.stderr).toContain('{"name":"run-tool","inline":["sudo python3 /tmp/tool.py"]}');
  });
});

describe('OS inference reads ARM parameters and variables (build 4)', () => {
  it('a publisher given as a parameter default makes the template Windows, for build and validate', async () => {
    const root = join(await tempDir(), 'arm');
    await mkdir(join(root, 'scripts'), { recursive: true });
    const arm = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: { publisher: { type: 'string', defaultValue: 'MicrosoftWindowsDesktop' } },
      variables: { offer: "[parameters('publisher')]" },
      resources: [
        {
          type: 'Microsoft.VirtualMachineImages/imageTemplates',
          apiVersion: '2024-02-01',
          name: 'desktop',
          location: 'westeurope',
          identity: {
            type: 'UserAssigned',
            userAssignedIdentities: { '/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i': {} },
          },
          properties: {
            source: { type: 'PlatformImage', publisher: "[parameters('publisher')]", offer: 'windows-11', sku: 'win11-23h2-avd', version: 'latest' },
            customize: [{ type: 'Shell', name: 'wrong-os', inline: ['echo'] }],
            distribute: [
              {
                type: 'ManagedImage',
                imageId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/images/i',
                location: 'westeurope',
                runOutputName: 'o',
              },
            ],
          },
        },
      ],
    };
    await writeFile(join(root, 'template.json'), JSON.stringify(arm, null, 2));
    const validate = await aibgen(['validate', join(root, 'template.json')]);
    expect(validate.stdout).toContain('AIB120 os-compatibility');
    expect(validate.stdout).not.toContain('the OS is not known');
    await writeFile(join(root, 'scripts/a.ps1'), 'Write-Output 1\r\n');
    await writeFile(
      join(root, 'aibgen.json'),
      JSON.stringify({
        template: 'template.json',
        templateSteps: 'drop',
        output: 'dist/template.json',
        artifacts: 'dist/artifacts',
        baseUri: 'https://x.test/a/',
        customize: [{ name: 'a', script: 'scripts/a.ps1' }],
      }),
    );
    const built = await aibgen(['build', root, '--json']);
    expect(built.exitCode, built.stderr).toBe(0);
    expect((JSON.parse(built.stdout) as { os: string }).os).toBe('windows');
  });
});

describe('stable generated names (build 5)', () => {
  it('restart and update steps are named from their neighbours, not their index', async () => {
    const root = join(await tempDir(), 'w');
    await cp(join(process.cwd(), 'templates/init/windows'), root, { recursive: true });
    const write = (steps: unknown[]) =>
      writeFile(
        join(root, 'aibgen.json'),
        JSON.stringify({
          template: 'template.json',
          output: 'dist/template.json',
          artifacts: 'dist/artifacts',
          baseUri: 'https://x.test/a/',
          varsFiles: ['vars.json'],
          customize: steps,
        }),
      );
    await write([{ name: 'install-iis', inline: ['echo'] }, { restart: true }, { windowsUpdate: true }, { restart: true }]);
    expect((await aibgen(['build', root, '--quiet'])).exitCode).toBe(0);
    const names = (await customizeOf(root)).map((s) => s.name);
    expect(names).toEqual([
      'install-iis',
      'restart-after-install-iis',
      'windows-update-after-restart-after-install-iis',
      'restart-after-windows-update-after-restart-after-install-iis',
    ]);
    await write([{ name: 'first', inline: ['echo'] }, { name: 'install-iis', inline: ['echo'] }, { restart: true }]);
    expect((await aibgen(['build', root, '--quiet'])).exitCode).toBe(0);
    expect((await customizeOf(root)).map((s) => s.name)).toContain('restart-after-install-iis');
  });
});

describe('validation steps (build 6)', () => {
  it('aibgen.json writes properties.validate with inVMValidations, continueDistributeOnFailure and sourceValidationOnly', async () => {
    const root = await makeProject(join(await tempDir(), 'p'), {
      customize: [{ name: 'setup', script: 'scripts/setup.sh.hbs' }],
      validate: {
        continueDistributeOnFailure: true,
        inVMValidations: [
          { name: 'smoke', inline: ['test -f /etc/motd'] },
          { name: 'check-script', script: 'scripts/setup.sh.hbs', vars: {} },
        ],
      },
    });
    const result = await aibgen(['build', root, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const built = JSON.parse(await readFile(join(root, 'dist/template.json'), 'utf8')) as {
      properties: { validate: { continueDistributeOnFailure: boolean; inVMValidations: Step[] } };
    };
    expect(built.properties.validate.continueDistributeOnFailure).toBe(true);
    expect(built.properties.validate.inVMValidations.map((s) => [s.type, s.name])).toEqual([
      ['Shell', 'smoke'],
      ['Shell', 'check-script'],
    ]);
    expect((JSON.parse(result.stdout) as { steps: { list: string }[] }).steps.filter((s) => s.list === 'inVMValidations')).toHaveLength(2);
    const restart = await makeProject(join(await tempDir(), 'q'), { validate: { inVMValidations: [{ restart: true }] } });
    const refused = await aibgen(['build', restart]);
    expect(refused.stderr).toContain('validate.inVMValidations[0]: restart steps cannot be used here');
  });
});

describe('artifacts folder housekeeping (build 7)', () => {
  it('--check notes files artifacts.json does not list; --prune removes them; nothing is removed by default', async () => {
    const root = await makeProject(join(await tempDir(), 'p'));
    expect((await aibgen(['build', root, '--quiet'])).exitCode).toBe(0);
    await writeFile(join(root, 'dist/artifacts/old.0123456789ab.sh'), 'old\n');
    const check = await aibgen(['build', root, '--check']);
    expect(check.exitCode).toBe(0);
    expect(check.stderr).toContain('note: 1 file(s) in');
    expect(check.stderr).toContain('old.0123456789ab.sh; aibgen build --prune removes them');
    expect((await aibgen(['build', root, '--quiet'])).exitCode).toBe(0);
    expect(await readdir(join(root, 'dist/artifacts'))).toContain('old.0123456789ab.sh');
    expect((await aibgen(['build', root, '--prune', '--quiet'])).exitCode).toBe(0);
    expect(await readdir(join(root, 'dist/artifacts'))).not.toContain('old.0123456789ab.sh');
  });
});

describe('commands report every file (build 9)', () => {
  it('fill --check and --json go on past a file that does not parse; validate does not pass a file without a template', async () => {
    const base = await tempDir();
    await writeFile(join(base, 'broken.json'), '{ "properties": ');
    await writeFile(
      join(base, 'good.json'),
      JSON.stringify({ properties: { source: {}, customize: [{ type: 'Shell', name: 'a', scriptUri: 'https://x.test/a.sh' }] } }),
    );
    await writeFile(join(base, 'other.json'), JSON.stringify({ hello: 'world' }));
    const check = await aibgen(['fill', '--check', join(base, 'broken.json'), join(base, 'good.json')]);
    expect(check.exitCode).toBe(2);
    expect(check.stderr).toMatch(/broken\.json:1:\d+: expected a value/);
    expect(check.stderr).toContain('good.json: 1 checksum site(s)');
    const json = await aibgen(['fill', '--check', '--json', join(base, 'broken.json'), join(base, 'good.json')]);
    const report = JSON.parse(json.stdout) as { files: { file: string; error: { code: string } | null }[] };
    expect(report.files.map((f) => [f.file.split('/').pop(), f.error?.code ?? null])).toEqual([
      ['good.json', null],
      ['broken.json', 'E_PARSE'],
    ]);
    const validate = await aibgen(['validate', join(base, 'other.json')]);
    expect(validate.exitCode).toBe(2);
    expect(validate.stderr).toContain('other.json: holds no image template');
    expect(validate.stdout).not.toContain('no problems in 0 file(s)');
    const version = await aibgen(['validate', '--api-version', '2023-01-01', join(base, 'good.json')]);
    expect(version.exitCode).toBe(2);
    expect(version.stderr).toBe(
      'aibgen: --api-version 2023-01-01 is not an AIB API version\n  known: 2018-02-01-preview, 2019-02-01-preview, 2019-05-01-preview, 2020-02-14, 2021-10-01, 2022-02-14, 2022-07-01, 2023-07-01, 2024-02-01, 2025-10-01\n',
    );
  });
});

describe('bundle -o with an unknown extension (build 10)', () => {
  it('is a usage error, not a tar.gz', async () => {
    const base = await tempDir();
    await mkdir(join(base, 'p'));
    await writeFile(join(base, 'p/f'), 'f');
    const result = await aibgen(['bundle', join(base, 'p'), '-o', join(base, 'x.rar')]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('cannot tell the archive format from the name');
    expect(await readdir(base)).toEqual(['p']);
  });
});

describe('customize given as an expression (build 11)', () => {
  it('says how to pass customize.json as that parameter', async () => {
    const root = await makeProject(join(await tempDir(), 'p'));
    const path = join(root, 'template.json');
    await writeFile(path, (await readFile(path, 'utf8')).replace('"customize": []', `"customize": "[parameters('customizationSteps')]"`));
    const result = await aibgen(['build', root]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/template\.json:\d+:\d+ {2}properties\.customize is an expression \(\[parameters\('customizationSteps'\)\]\)/);
    expect(result.stderr).toContain("loadJsonContent('dist/customize.json')");
  });
});

describe('the Linux scaffold waits for the VM to settle (build 12)', () => {
  it('waits for cloud-init and the dpkg lock before apt-get, and passes shellcheck', async () => {
    const root = join(await tempDir(), 'l');
    expect((await aibgen(['init', root, '--os', 'linux'])).exitCode).toBe(0);
    expect((await aibgen(['build', root, '--quiet'])).exitCode).toBe(0);
    const script = (await readdir(join(root, 'dist/artifacts'))).find((f) => f.startsWith('setup.')) as string;
    const text = await readFile(join(root, 'dist/artifacts', script), 'utf8');
    expect(text.indexOf('cloud-init status --wait')).toBeGreaterThan(0);
    expect(text.indexOf('cloud-init status --wait')).toBeLessThan(text.indexOf('update'));
    expect(text).toContain('DPkg::Lock::Timeout=');
    if (checkWithShellcheck()) {
      const lint = await run('shellcheck', [join(root, 'dist/artifacts', script)]);
      expect(lint.stdout + lint.stderr).toBe('');
    }
  });
});
