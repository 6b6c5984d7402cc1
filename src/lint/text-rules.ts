import type { Finding } from '../findings/index.js';
import { ruleFinding } from './finding.js';
import type { LintRuleId } from './rules.js';
import type { LintUnit } from './unit.js';

/**
 * The AIB rules that read a script as text, line by line: encodings and line endings, secrets
 * (a secret is exposed wherever it is written, so strings count; the password form skips shell
 * comments), and for PowerShell, only when pwsh is not there to walk the syntax tree, FALLBACK
 * command-name checks for restarts, prompts, Sysprep and firewall changes. Shell commands are
 * judged on the syntax tree (shell/rules.ts), never here.
 */

type Report = (rule: LintRuleId, line: number, column: number, message: string) => void;

const SAS = /[?&]sig=[^&\s"'<>]{8,}/i;
const CONNECTION = /\b(AccountKey|SharedAccessKey|SharedAccessSignature)=[^;\s"']{8,}/i;
const ACCOUNT_KEY = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/;
const PRIVATE_KEY = /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/;
const PASSWORD_SHELL = /\b(?:password|passwd|pwd)=(['"]?)(?!\$|\1\$)[^\s'"$]{3,}/i;
const PASSWORD_PS = /-(?:Password|PlainPassword)\s+(?:\(?ConvertTo-SecureString\s+(?:-String\s+)?)?(['"])(?!\$)[^'"$]{3,}\1/i;

function secrets(raw: string, n: number, report: Report, language: LintUnit['language']): void {
  const line = raw;
  const code = language === 'shell' ? shellCode(raw) : raw;
  const what = SAS.test(line)
    ? 'a SAS token (sig=)'
    : CONNECTION.test(line)
      ? 'a storage connection string or key'
      : ACCOUNT_KEY.test(line)
        ? 'what looks like a storage account key'
        : PRIVATE_KEY.test(line)
          ? 'a private key'
          : (language === 'shell' ? PASSWORD_SHELL : PASSWORD_PS).test(code)
            ? 'a password literal'
            : undefined;
  if (what) {
    report(
      'AIB213',
      n,
      1,
      `${what} in the script: anyone who can read the script, the template or the build logs can use it; pass it at build time from a key vault or the VM's managed identity (the value is not shown here)`,
    );
  }
}

/** A line's code without a trailing # comment (naive about # inside quotes, which is rare in these commands). */
function shellCode(line: string): string {
  const trimmed = line.trimStart();
  if (trimmed.startsWith('#')) return '';
  return line.replace(/\s#.*$/, '');
}

const RESTART_PS = /(?:^|[;|{(]\s*)(Restart-Computer\b|shutdown(?:\.exe)?\s+[/-]r\b)/i;
const INTERACTIVE_PS = /(?:^|[;|{(=]\s*)(Read-Host|pause|Get-Credential)\b/i;
const SYSPREP_PS = /\bsysprep(?:\.exe)?\b/i;
const CONNECTION_PS =
  /\b(Disable-PSRemoting|Set-NetFirewallProfile|netsh\s+advfirewall|(?:Stop|Set)-Service\s+(?:-Name\s+)?['"]?WinRM|winrm\s+(?:delete|set))\b/i;

/** PowerShell command checks by name, for when pwsh is not there to walk the syntax tree. */
function powershellFallbackRules(unit: LintUnit, lines: string[], report: Report): void {
  lines.forEach((raw, index) => {
    const n = index + 1;
    const line = raw.trimStart().startsWith('#') ? '' : raw;
    const restart = RESTART_PS.exec(line);
    if (restart)
      report(
        'AIB206',
        n,
        restart.index + 1,
        `${restart[1] as string} inside a PowerShell step cuts the builder's connection and fails the build; end the step and add a WindowsRestart step instead`,
      );
    const prompt = INTERACTIVE_PS.exec(line);
    if (prompt)
      report(
        'AIB209',
        n,
        prompt.index + 1,
        `${prompt[1] as string} waits for input that never comes in an unattended build (it hangs until the build times out)`,
      );
    if (SYSPREP_PS.test(line) && !unit.override && !/^\s*#/.test(raw) && /sysprep\.exe|\/generalize/i.test(line)) {
      report(
        'AIB207',
        n,
        1,
        'Sysprep in a customizer generalizes the VM before AIB is done with it; only the deprovisioning script (DeprovisioningScript.ps1) may run it',
      );
    }
    const conn = CONNECTION_PS.exec(line);
    if (conn)
      report(
        'AIB212',
        n,
        conn.index + 1,
        `${conn[1] as string} changes the firewall or WinRM, which AIB uses to reach the build VM; a change that cuts the connection fails the build with 'context cancelled'`,
      );
  });
}

/** Runs the text rules on one unit; `astAvailable` says whether pwsh will walk PowerShell syntax trees. */
export function textRules(unit: LintUnit, astAvailable: boolean): Finding[] {
  const findings: Finding[] = [];
  const report: Report = (rule, line, column, message) => findings.push(ruleFinding(unit, rule, line, column, message));
  const bytes = unit.bytes;
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const text = bytes.toString('utf8');
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (unit.language === 'shell') {
    if (unit.kind === 'file') {
      const crlf = lines.findIndex((l) => l.endsWith('\r'));
      if (crlf !== -1)
        report(
          'AIB201',
          crlf + 1,
          lines[crlf]!.length,
          'CRLF line endings: on the VM the script fails with "cannot execute: required file not found"; convert it to LF (dos2unix, or "*.sh text eol=lf" in .gitattributes)',
        );
      if (bom) report('AIB202', 1, 1, 'the script starts with a UTF-8 byte order mark, so the kernel does not see its #! line; save it without a BOM');
      if (!text.replace(/^\uFEFF/, '').startsWith('#!') && !unit.override)
        report('AIB203', 1, 1, 'no #! line: the script runs under /bin/sh whatever it was written for; start it with #!/bin/bash (or #!/bin/sh)');
    }
  } else {
    if (unit.kind === 'file' && !bom && bytes.some((b) => b > 0x7f)) {
      report(
        'AIB204',
        1,
        1,
        'non-ASCII text without a UTF-8 BOM: Windows PowerShell 5.1 reads the file in the ANSI code page and garbles it; save it as "UTF-8 with BOM"',
      );
    }
    if (!astAvailable)
      powershellFallbackRules(
        unit,
        lines.map((l) => l.replace(/\r$/, '')),
        report,
      );
  }
  lines.forEach((line, index) => secrets(line, index + 1, report, unit.language));
  return findings;
}
