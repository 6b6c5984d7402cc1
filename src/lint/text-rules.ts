import type { Finding } from '../findings/index.js';
import { redact } from '../util/redact.js';
import { lintRuleName, type LintRuleId } from './rules.js';
import type { LintUnit } from './unit.js';

/**
 * The AIB rules that read a script as text, line by line. Shell scripts: all of them. PowerShell:
 * encoding and secrets always, and (only when pwsh is not there to walk the syntax tree) plain
 * command-name checks for restarts, prompts, Sysprep and firewall changes.
 */

type Report = (rule: LintRuleId, severity: Finding['severity'], line: number, column: number, message: string) => void;

const SAS = /[?&]sig=[^&\s"'<>]{8,}/i;
const CONNECTION = /\b(AccountKey|SharedAccessKey|SharedAccessSignature)=[^;\s"']{8,}/i;
const ACCOUNT_KEY = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/;
const PRIVATE_KEY = /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/;
const PASSWORD_SHELL = /\b(?:password|passwd|pwd)=(['"]?)(?!\$|\1\$)[^\s'"$]{3,}/i;
const PASSWORD_PS = /-(?:Password|PlainPassword)\s+(?:\(?ConvertTo-SecureString\s+(?:-String\s+)?)?(['"])(?!\$)[^'"$]{3,}\1/i;

function secrets(line: string, n: number, report: Report, language: LintUnit['language']): void {
  const what = SAS.test(line)
    ? 'a SAS token (sig=)'
    : CONNECTION.test(line)
      ? 'a storage connection string or key'
      : ACCOUNT_KEY.test(line)
        ? 'what looks like a storage account key'
        : PRIVATE_KEY.test(line)
          ? 'a private key'
          : (language === 'shell' ? PASSWORD_SHELL : PASSWORD_PS).test(line)
            ? 'a password literal'
            : undefined;
  if (what) {
    report(
      'AIB213',
      'error',
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

const COMMAND_START = String.raw`(?:^|[;&|({]\s*|\bthen\s+|\bdo\s+|\belse\s+|\bsudo\s+(?:-\S+\s+)*|\bexec\s+)`;
const REBOOT = new RegExp(`${COMMAND_START}(reboot|poweroff|halt|shutdown|systemctl\\s+(?:reboot|poweroff|halt|kexec)|init\\s+[06])\\b`);
const PACKAGE =
  /\b(apt-get|apt|yum|dnf|zypper|tdnf)\s+(?:-\S+\s+)*?(install|upgrade|dist-upgrade|full-upgrade|remove|purge|autoremove|update|erase|in|up|rm)\b/;
const YES = /(?:^|\s)(?:-[a-zA-Z]*y[a-zA-Z]*|--yes|--assume-yes|-n|--non-interactive|--no-confirm)(?=\s|$)/;
const READ = new RegExp(`${COMMAND_START}read\\b`);
const WAIT = /cloud-init\s+status\s+--wait|DPkg::Lock::Timeout|dpkg\/lock|\bflock\b|\bfuser\b.*lock|apt-daily|systemd-run.*apt|unattended-upgrade/;
const GENERALIZE_SH = /\bwaagent\b[^\n]*-deprovision/;
const CONNECTION_SH =
  /\bufw\s+(?:--force\s+)?(?:enable|default\s+deny)|\biptables\b[^\n]*-P\s+INPUT\s+(?:DROP|REJECT)|\bfirewall-cmd\b[^\n]*(?:--set-default-zone=(?:drop|block)|--remove-service=ssh)|\bsystemctl\s+(?:stop|disable|mask)\s+(?:ssh|sshd)\b|\bservice\s+ssh\S*\s+stop|\bAllow(?:Users|Groups)\b/;

function shellRules(unit: LintUnit, lines: string[], report: Report): void {
  let firstApt: number | undefined;
  let waits = false;
  lines.forEach((raw, index) => {
    const n = index + 1;
    const line = shellCode(raw);
    if (!line.trim()) return;
    if (WAIT.test(line)) waits = true;
    const reboot = REBOOT.exec(line);
    if (reboot && !/--help|-h\b/.test(line)) {
      report(
        'AIB205',
        'error',
        n,
        (reboot.index ?? 0) + 1,
        `${(reboot[1] as string).split(/\s+/)[0] as string} in a Shell step: Linux images have no restart customizer; the connection drops and the build fails. Make the change take effect without a reboot, or let the deployed VM reboot`,
      );
    }
    const pkg = PACKAGE.exec(line);
    if (pkg) {
      const tool = pkg[1] as string;
      const action = pkg[2] as string;
      if ((tool === 'apt-get' || tool === 'apt') && firstApt === undefined) firstApt = n;
      const changes = !(action === 'update' && (tool === 'apt-get' || tool === 'apt'));
      const rest = line.slice(pkg.index);
      if (changes && !YES.test(rest) && !/\byes\s*\|/.test(line)) {
        report(
          'AIB208',
          'error',
          n,
          pkg.index + 1,
          `${tool} ${action} without -y waits for a confirmation that never comes; the build hangs until it times out (add -y${tool === 'zypper' ? ', or zypper -n' : ''})`,
        );
      }
    }
    const read = READ.exec(line);
    if (read && !/<|\|\s*while|\bwhile\b/.test(line)) {
      report(
        'AIB209',
        'error',
        n,
        read.index + 1,
        'read waits for input from the terminal, which an unattended build never gives; the build hangs until it times out',
      );
    }
    if (GENERALIZE_SH.test(line) && !unit.override) {
      report(
        'AIB207',
        'error',
        n,
        1,
        'waagent -deprovision in a customizer generalizes the VM before AIB is done with it; only the deprovisioning script (/tmp/DeprovisioningScript.sh) may run it',
      );
    }
    const conn = CONNECTION_SH.exec(line);
    if (conn)
      report(
        'AIB212',
        'warning',
        n,
        conn.index + 1,
        `this changes the firewall or SSH, which AIB uses to reach the build VM; a change that cuts the connection fails the build ('context cancelled'). Keep SSH reachable until the end of the build`,
      );
  });
  if (firstApt !== undefined && !waits) {
    report(
      'AIB210',
      'warning',
      firstApt,
      1,
      "apt-get with no wait for cloud-init or the dpkg lock: on a new Ubuntu VM, cloud-init and unattended upgrades hold the lock and apt-get fails. Run 'cloud-init status --wait' first and pass -o DPkg::Lock::Timeout=600",
    );
  }
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
        'error',
        n,
        restart.index + 1,
        `${restart[1] as string} inside a PowerShell step cuts the builder's connection and fails the build; end the step and add a WindowsRestart step instead`,
      );
    const prompt = INTERACTIVE_PS.exec(line);
    if (prompt)
      report(
        'AIB209',
        'error',
        n,
        prompt.index + 1,
        `${prompt[1] as string} waits for input that never comes in an unattended build (it hangs until the build times out)`,
      );
    if (SYSPREP_PS.test(line) && !unit.override && !/^\s*#/.test(raw) && /sysprep\.exe|\/generalize/i.test(line)) {
      report(
        'AIB207',
        'error',
        n,
        1,
        'Sysprep in a customizer generalizes the VM before AIB is done with it; only the deprovisioning script (DeprovisioningScript.ps1) may run it',
      );
    }
    const conn = CONNECTION_PS.exec(line);
    if (conn)
      report(
        'AIB212',
        'warning',
        n,
        conn.index + 1,
        `${conn[1] as string} changes the firewall or WinRM, which AIB uses to reach the build VM; a change that cuts the connection fails the build with 'context cancelled'`,
      );
  });
}

/** Runs the text rules on one unit; `astAvailable` says whether pwsh will walk PowerShell syntax trees. */
export function textRules(unit: LintUnit, astAvailable: boolean): Finding[] {
  const findings: Finding[] = [];
  const report: Report = (rule, severity, line, column, message) => {
    const at = unit.locate ? unit.locate(line, column) : { line, column };
    findings.push({
      rule,
      ruleName: lintRuleName(rule),
      severity,
      message: redact(unit.label ? `${unit.label}: ${message}` : message),
      file: unit.file,
      line: at.line,
      column: at.column,
      ...('pointer' in at && at.pointer !== undefined ? { pointer: at.pointer } : {}),
    });
  };
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
          'error',
          crlf + 1,
          lines[crlf]!.length,
          'CRLF line endings: on the VM the script fails with "cannot execute: required file not found"; convert it to LF (dos2unix, or "*.sh text eol=lf" in .gitattributes)',
        );
      if (bom) report('AIB202', 'error', 1, 1, 'the script starts with a UTF-8 byte order mark, so the kernel does not see its #! line; save it without a BOM');
      if (!text.replace(/^\uFEFF/, '').startsWith('#!') && !unit.override)
        report('AIB203', 'warning', 1, 1, 'no #! line: the script runs under /bin/sh whatever it was written for; start it with #!/bin/bash (or #!/bin/sh)');
    }
    shellRules(
      unit,
      lines.map((l) => l.replace(/\r$/, '')),
      report,
    );
  } else {
    if (unit.kind === 'file' && !bom && bytes.some((b) => b > 0x7f)) {
      report(
        'AIB204',
        'warning',
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
