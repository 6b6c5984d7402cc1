import type { RuleInfo } from '../findings/index.js';

/** The AIB rules `aibgen lint` applies to scripts and inline commands, beyond the shells' own parsers and ShellCheck. */
const list = [
  [
    'AIB201',
    'crlf-in-shell-script',
    'A shell script with CRLF line endings: on the VM it fails with "cannot execute: required file not found" ("/bin/bash\\r").',
  ],
  ['AIB202', 'bom-in-shell-script', 'A shell script that starts with a byte order mark: the kernel does not see the shebang.'],
  ['AIB203', 'missing-shebang', 'A shell script without a #! line runs under /bin/sh, whatever it was written for.'],
  ['AIB204', 'ps1-non-ascii-without-bom', 'A .ps1 with non-ASCII text and no UTF-8 BOM: Windows PowerShell 5.1 reads it in the ANSI code page.'],
  ['AIB205', 'reboot-in-shell-step', 'reboot or shutdown in a Shell step: Linux has no restart customizer, and the build fails.'],
  ['AIB206', 'restart-in-powershell-step', 'Restart-Computer or shutdown /r in a PowerShell step fails the build: use a WindowsRestart step.'],
  ['AIB207', 'generalize-in-customizer', 'Sysprep or waagent -deprovision in a customizer: only the deprovisioning script may generalize.'],
  ['AIB208', 'install-without-yes', 'apt-get, yum, dnf or zypper changing packages without -y waits for a "y" that never comes.'],
  ['AIB209', 'interactive-command', 'read, Read-Host, pause or Get-Credential waits for input in an unattended build.'],
  ['AIB210', 'apt-without-wait', 'apt-get with no wait for cloud-init or the dpkg lock: the commonest failure of first builds on Ubuntu.'],
  ['AIB211', 'powershell-7-syntax', 'PowerShell 7 syntax (??, ?., ternary, && and ||, -Parallel) in a script that Windows PowerShell 5.1 runs.'],
  ['AIB212', 'connection-change', "A firewall, WinRM or SSH change that can cut the builder's connection (warning)."],
  ['AIB213', 'secret-in-script', 'A SAS token, storage account key, connection string, private key or password literal in a script.'],
  ['AIB214', 'shell-syntax-error', 'The shell (bash -n or sh -n) cannot parse the script.'],
  ['AIB215', 'powershell-syntax-error', "PowerShell's parser cannot parse the script."],
] as const;

export type LintRuleId = (typeof list)[number][0];

export const LINT_RULES: ReadonlyMap<string, RuleInfo> = new Map(list.map(([id, name, description]) => [id, { id, name, description }]));

export function lintRuleName(id: LintRuleId): string {
  return (LINT_RULES.get(id) as RuleInfo).name;
}
