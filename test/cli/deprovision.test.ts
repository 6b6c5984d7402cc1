import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aibgen, checkWithShellcheck, run, tempDir } from '../helpers.js';

let dir: string;
let stubs: string;
const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

async function stub(name: string, body: string): Promise<void> {
  await writeFile(join(stubs, name), `#!/bin/sh\n${body}\n`);
  await chmod(join(stubs, name), 0o755);
}

async function linux(...flags: string[]): Promise<string> {
  const result = await aibgen(['deprovision', '--os', 'linux', '-o', '-', ...flags], { cwd: dir });
  expect(result.exitCode).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  dir = await tempDir();
  stubs = join(dir, 'stubs');
  await mkdir(stubs);
  await stub('waagent', `echo "waagent $*" >> "$LOG"`);
  await stub('cloud-init', `echo "cloud-init $*" >> "$LOG"`);
});

/** Runs a rendered Linux script with stub waagent/cloud-init on PATH; returns what they were asked to do. */
async function execute(script: string, path: string): Promise<{ exitCode: number; log: string; stderr: string }> {
  const file = join(dir, `run-${Math.random().toString(36).slice(2)}.sh`);
  const log = `${file}.log`;
  await writeFile(file, script);
  await writeFile(log, '');
  const result = await run('sh', [file], { env: { PATH: path, LOG: log }, extendEnv: false });
  return { exitCode: result.exitCode, log: await readFile(log, 'utf8'), stderr: result.stderr };
}

describe('aibgen deprovision --os linux', () => {
  it('writes DeprovisioningScript.sh (LF, 0755) that runs the AIB default: waagent -force -deprovision+user, HISTSIZE=0, sync', async () => {
    const result = await aibgen(['deprovision', '--os', 'linux', '-o', 'out/'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const script = await readFile(join(dir, 'out', 'DeprovisioningScript.sh'), 'utf8');
    expect(script).not.toContain('\r');
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain('"$WAAGENT" -force -deprovision+user\nexport HISTSIZE=0\nsync\n');
    expect(result.stderr).toContain(`sha256 ${sha(script)}`);
    const ran = await execute(script, `${stubs}:/usr/bin:/bin`);
    expect(ran.exitCode).toBe(0);
    expect(ran.log).toBe('waagent -force -deprovision+user\n');
  });

  it('--keep-user, --cloud-init-clean and --pre (in order) change what runs', async () => {
    const script = await linux('--keep-user', '--cloud-init-clean', '--pre', 'echo "first $((1+1))" >> "$LOG"', '--pre', 'echo \'second\' >> "$LOG"');
    const ran = await execute(script, `${stubs}:/usr/bin:/bin`);
    expect(ran.exitCode).toBe(0);
    expect(ran.log).toBe('first 2\nsecond\ncloud-init clean --logs --seed\nwaagent -force -deprovision\n');
  });

  it('a failing --pre command stops before anything is generalized', async () => {
    const script = await linux('--pre', 'exit 3', '--pre', 'echo never >> "$LOG"');
    const ran = await execute(script, `${stubs}:/usr/bin:/bin`);
    expect(ran.exitCode).toBe(1);
    expect(ran.log).toBe('');
    expect(ran.stderr).toContain('aibgen: pre-deprovision step 0 failed');
  });

  it('skips cloud-init clean where cloud-init is not installed', async () => {
    const onlyAgent = join(dir, 'only-agent');
    await mkdir(onlyAgent);
    await writeFile(join(onlyAgent, 'waagent'), '#!/bin/sh\necho "waagent $*" >> "$LOG"\n', { mode: 0o755 });
    const ran = await execute(await linux('--cloud-init-clean'), `${onlyAgent}:/usr/bin:/bin`);
    expect(ran.exitCode).toBe(0);
    expect(ran.log).toBe('waagent -force -deprovision+user\n');
  });

  it.runIf(!existsSync('/usr/sbin/waagent'))('fails with a clear message when no waagent exists', async () => {
    const ran = await execute(await linux(), '/usr/bin:/bin');
    expect(ran.exitCode).toBe(1);
    expect(ran.stderr).toContain('waagent (the Azure Linux agent, package walinuxagent or WALinuxAgent) was found neither on PATH nor at /usr/sbin/waagent');
  });

  it('every variant passes sh -n, bash -n and shellcheck', async () => {
    const variants = [
      [],
      ['--keep-user'],
      ['--cloud-init-clean'],
      ['--pre', 'apt-get clean', '--pre', 'echo "it\'s" | tee /tmp/x'],
      ['--keep-user', '--cloud-init-clean', '--pre', 'true'],
    ];
    for (const flags of variants) {
      const file = join(dir, 'lint.sh');
      await writeFile(file, await linux(...flags));
      for (const [tool, args] of [
        ['sh', ['-n', file]],
        ['bash', ['-n', file]],
        ...(checkWithShellcheck() ? ([['shellcheck', ['--shell=sh', file]]] as const) : []),
      ] as const) {
        const result = await run(tool, [...args]);
        expect(`${tool} ${flags.join(' ')}: ${result.exitCode} ${result.stdout}${result.stderr}`).toBe(`${tool} ${flags.join(' ')}: 0 `);
      }
    }
  });

  it('same options, same bytes', async () => {
    expect(await linux('--cloud-init-clean')).toBe(await linux('--cloud-init-clean'));
  });
});

describe('aibgen deprovision --os windows', () => {
  const windows = async (...flags: string[]) => {
    const result = await aibgen(['deprovision', '--os', 'windows', '-o', '-', ...flags], { cwd: dir });
    expect(result.exitCode).toBe(0);
    return result.stdout;
  };

  it('contains the exact commands of the AIB default (CRLF), without /mode:vm unless asked', async () => {
    const script = await windows();
    expect(script).not.toMatch(/[^\r]\n/);
    for (const line of [
      "Write-Output '>>> Waiting for GA Service (RdAgent) to start ...'",
      "(Get-Service RdAgent -ErrorAction SilentlyContinue).Status -eq 'Running'",
      'if (Get-Service WindowsAzureTelemetryService -ErrorAction SilentlyContinue) {',
      "(Get-Service WindowsAzureGuestAgent -ErrorAction SilentlyContinue).Status -eq 'Running'",
      'if (Test-Path $Env:SystemRoot\\system32\\Sysprep\\unattend.xml) {',
      '  Remove-Item $Env:SystemRoot\\system32\\Sysprep\\unattend.xml -Force',
      'if (Test-Path $Env:SystemRoot\\Panther\\unattend.xml) {',
      '  Remove-Item $Env:SystemRoot\\Panther\\unattend.xml -Force',
      '& $Env:SystemRoot\\System32\\Sysprep\\Sysprep.exe /oobe /generalize /quiet /quit\r',
      '  $imageState = (Get-ItemProperty HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Setup\\State).ImageState',
      "  if ($imageState -eq 'IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE') { break }",
      '$TimeoutMinutes = 30',
    ]) {
      expect(script, line).toContain(line);
    }
    expect(script).not.toContain('/mode:vm');
    const modeVm = await windows('--mode-vm', '--timeout-minutes', '45');
    expect(modeVm).toContain('& $Env:SystemRoot\\System32\\Sysprep\\Sysprep.exe /oobe /generalize /quiet /quit /mode:vm\r\n');
    expect(modeVm).toContain('$TimeoutMinutes = 45\r\n');
    // Every wait loop has a deadline: the two kinds of loop both test it.
    expect(modeVm.match(/\(Get-Date\) -gt \$deadline/g)).toHaveLength(2);
  });

  it('runs --pre commands first, each checked', async () => {
    const script = await windows('--pre', 'Remove-Item C:\\temp -Recurse -Force');
    const pre = script.indexOf('Remove-Item C:\\temp -Recurse -Force');
    expect(pre).toBeGreaterThan(0);
    expect(pre).toBeLessThan(script.indexOf('Waiting for GA Service'));
    expect(script).toContain("throw 'aibgen: pre-deprovision step 0 failed, stopping before Sysprep'");
  });

  it('rejects Linux options and a bad timeout (exit 2)', async () => {
    const wrong = await aibgen(['deprovision', '--os', 'windows', '--keep-user', '-o', '-'], { cwd: dir });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain('--keep-user and --cloud-init-clean are Linux options');
    const zero = await aibgen(['deprovision', '--os', 'windows', '--timeout-minutes', '0', '-o', '-'], { cwd: dir });
    expect(zero.exitCode).toBe(2);
    const noOs = await aibgen(['deprovision', '-o', '-'], { cwd: dir });
    expect(noOs.exitCode).toBe(2);
    expect(noOs.stderr).toContain('--os linux|windows is required');
  });
});

describe('aibgen deprovision --customizer', () => {
  it('--uri prints a File step to the exact override path with the script checksum', async () => {
    const result = await aibgen(['deprovision', '--os', 'windows', '-o', 'win/', '--customizer', '--uri', 'https://example.test/DeprovisioningScript.ps1'], {
      cwd: dir,
    });
    await mkdir(join(dir, 'win'), { recursive: true });
    expect(result.exitCode).toBe(0);
    const written = await readFile(join(dir, 'win', 'DeprovisioningScript.ps1'));
    expect(JSON.parse(result.stdout)).toEqual({
      type: 'File',
      name: 'aibgen-deprovisioning-override',
      sourceUri: 'https://example.test/DeprovisioningScript.ps1',
      destination: 'c:\\DeprovisioningScript.ps1',
      sha256Checksum: sha(written),
    });
  });

  it('--inline prints a Shell step whose commands, run by real sh, recreate the script and verify it; a corrupted copy fails', async () => {
    const result = await aibgen(['deprovision', '--os', 'linux', '--cloud-init-clean', '-o', 'lin/', '--customizer', '--inline'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const step = JSON.parse(result.stdout) as { type: string; inline: string[] };
    expect(step.type).toBe('Shell');
    const expected = await readFile(join(dir, 'lin', 'DeprovisioningScript.sh'));
    // A stand-in for sudo (we are that user already), and a private path instead of /tmp/DeprovisioningScript.sh.
    await stub('sudo', 'exec "$@"');
    const target = join(dir, 'DeprovisioningScript.sh');
    const commands = step.inline.map((c) => c.replaceAll('/tmp/DeprovisioningScript.sh', target));
    const good = await run('sh', ['-e', '-c', commands.join('\n')], { env: { PATH: `${stubs}:/usr/bin:/bin` } });
    expect(good.exitCode).toBe(0);
    expect(await readFile(target)).toEqual(expected);
    const corrupted = commands.map((c, i) => (i === 0 ? c.replace(/echo '([A-Za-z0-9+/]{8})/, "echo 'AAAAAAAA") : c));
    expect(corrupted[0]).not.toBe(commands[0]);
    const bad = await run('sh', ['-e', '-c', corrupted.join('\n')], { env: { PATH: `${stubs}:/usr/bin:/bin` } });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('FAILED');
  });

  it('--customizer needs exactly one of --uri and --inline', async () => {
    const result = await aibgen(['deprovision', '--os', 'linux', '-o', '-', '--customizer'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('exactly one of --uri');
  });
});
