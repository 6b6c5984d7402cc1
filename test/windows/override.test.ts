import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { aibgen, itWith, tempDir } from '../helpers.js';
import { runPwsh } from './pwsh.js';

/**
 * DeprovisioningScript.ps1 run by pwsh against stand-ins for what Linux lacks: Get-Service and the
 * image-state registry read are functions (which PowerShell prefers to cmdlets), and Sysprep.exe
 * is a script under a fake $Env:SystemRoot that records its arguments and sets the image state.
 */
async function harness(options: {
  flags: string[];
  services: Record<string, string>;
  finalState: string;
}): Promise<{ result: Awaited<ReturnType<typeof runPwsh>>; root: string; calls: string }> {
  const dir = await tempDir();
  const root = join(dir, 'Windows');
  await mkdir(join(root, 'System32/Sysprep'), { recursive: true });
  await mkdir(join(root, 'Panther'), { recursive: true });
  // The script says system32 and System32, as AIB's default does; Windows does not care, Linux does.
  await symlink('System32', join(root, 'system32'));
  await writeFile(join(root, 'System32/Sysprep/unattend.xml'), '<unattend/>');
  await writeFile(join(root, 'Panther/unattend.xml'), '<unattend/>');
  await writeFile(join(root, 'state'), 'IMAGE_STATE_COMPLETE');
  await writeFile(
    join(root, 'System32/Sysprep/Sysprep.exe'),
    `#!/bin/sh\necho "$*" >> '${root}/calls'\nprintf '%s' '${options.finalState}' > '${root}/state'\n`,
  );
  await chmod(join(root, 'System32/Sysprep/Sysprep.exe'), 0o755);
  const made = await aibgen(['deprovision', '--os', 'windows', '-o', join(dir, 'DeprovisioningScript.ps1'), ...options.flags]);
  expect(made.exitCode, made.stderr).toBe(0);
  const services = Object.entries(options.services)
    .map(([name, status]) => `'${name}' = '${status}'`)
    .join('; ');
  const script = `
$Env:SystemRoot = '${root}'
$services = @{ ${services} }
function Get-Service {
  param([Parameter(Position = 0)] [string] $Name)
  if ($services.ContainsKey($Name)) { return [pscustomobject]@{ Name = $Name; Status = $services[$Name] } }
  if ("$($PSBoundParameters['ErrorAction'])" -eq 'SilentlyContinue') { return $null }
  throw "Cannot find any service with service name '$Name'."
}
function Get-ItemProperty {
  param([Parameter(Position = 0)] [string] $Path)
  if ($Path -ne 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Setup\\State') { throw "unexpected registry read: $Path" }
  [pscustomobject]@{ ImageState = (Get-Content -Raw '${root}/state') }
}
try {
  & '${join(dir, 'DeprovisioningScript.ps1')}'
} catch {
  # The message exactly as thrown (the default error view wraps and colours it).
  [Console]::Error.WriteLine($_.Exception.Message)
  exit 1
}
`;
  const result = await runPwsh(script);
  return { result, root, calls: existsSync(join(root, 'calls')) ? await readFile(join(root, 'calls'), 'utf8') : '' };
}

const running = { RdAgent: 'Running', WindowsAzureGuestAgent: 'Running' };
const done = 'IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE';

describe('the Windows deprovisioning override, run by a real PowerShell', () => {
  itWith('pwsh')(
    'removes the unattend.xml files, runs Sysprep with exactly the expected arguments, and waits for the image state',
    { timeout: 60_000 },
    async () => {
      for (const [flags, args] of [
        [[], '/oobe /generalize /quiet /quit'],
        [['--mode-vm'], '/oobe /generalize /quiet /quit /mode:vm'],
      ] as const) {
        const { result, root, calls } = await harness({
          flags: [...flags],
          services: { ...running, WindowsAzureTelemetryService: 'Running' },
          finalState: done,
        });
        expect(result.stderr).toBe('');
        expect(result.exitCode).toBe(0);
        expect(calls).toBe(`${args}\n`);
        expect(existsSync(join(root, 'System32/Sysprep/unattend.xml'))).toBe(false);
        expect(existsSync(join(root, 'Panther/unattend.xml'))).toBe(false);
        expect(result.stdout).toContain('Waiting for GA Service (WindowsAzureTelemetryService)');
        expect(result.stdout).toMatch(/>>> Sysprepping VM \.\.\.\n(.*\n)*IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE\n>>> Sysprep complete \.\.\.\n$/);
      }
    },
  );

  itWith('pwsh')('skips the telemetry service where it no longer exists', async () => {
    const { result } = await harness({ flags: [], services: running, finalState: done });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain('WindowsAzureTelemetryService');
  });

  itWith('pwsh')('gives up with its clear error when a service never starts, before Sysprep', async () => {
    const { result, calls } = await harness({
      flags: ['--timeout-minutes', '0.02'],
      services: { RdAgent: 'Stopped', WindowsAzureGuestAgent: 'Running' },
      finalState: done,
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr + result.stdout).toContain('aibgen: gave up after 0.02 minutes waiting for the RdAgent service');
    expect(calls).toBe('');
  });

  itWith('pwsh')('gives up with its clear error when the image state never arrives', async () => {
    const { result, calls } = await harness({ flags: ['--timeout-minutes', '0.02'], services: running, finalState: 'IMAGE_STATE_UNDEPLOYABLE' });
    expect(result.exitCode).not.toBe(0);
    expect(calls).toBe('/oobe /generalize /quiet /quit\n');
    expect(result.stderr + result.stdout).toContain(
      'aibgen: gave up after 0.02 minutes waiting for Sysprep; the image state is still IMAGE_STATE_UNDEPLOYABLE',
    );
  });
});
