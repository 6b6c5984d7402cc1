import type { LintRuleId } from '../rules.js';
import type { ShellAnalysis, ShellCommand } from './commands.js';

/**
 * lint's shell rules, judged on commands (see commands.ts), never on text: `echo "reboot"`, a
 * comment or a heredoc written to a file runs nothing.
 */

export type ShellReport = (rule: LintRuleId, offset: number, message: string) => void;

const arg = (command: ShellCommand, index: number): string | undefined => command.args[index]?.value;
const values = (command: ShellCommand): string[] => command.args.map((a) => a.value ?? '');

function isReboot(command: ShellCommand): boolean {
  const words = values(command);
  if (words.some((w) => w === '--help' || (w === '-h' && command.program !== 'shutdown'))) return false;
  switch (command.program) {
    case 'reboot':
    case 'poweroff':
    case 'halt':
      return true;
    case 'shutdown':
      // shutdown -c cancels; --help and -k (warn only) do not shut down.
      return !words.some((w) => w === '-c' || w === '-k' || w === '--help');
    case 'systemctl':
      return words.some((w) => ['reboot', 'poweroff', 'halt', 'kexec', 'soft-reboot'].includes(w));
    case 'init':
    case 'telinit':
      return words[0] === '0' || words[0] === '6';
    default:
      return false;
  }
}

const PACKAGE_TOOLS = new Set(['apt-get', 'apt', 'yum', 'dnf', 'zypper', 'tdnf', 'aptitude']);
const CHANGES = new Set([
  'install',
  'upgrade',
  'dist-upgrade',
  'full-upgrade',
  'remove',
  'purge',
  'autoremove',
  'erase',
  'reinstall',
  'in',
  'up',
  'rm',
  'update',
  'dup',
  'patch',
  'groupinstall',
  'localinstall',
  'downgrade',
  'distro-sync',
]);

/** The subcommand of a package tool: the first word that is not an option (or an option's value). */
function packageAction(command: ShellCommand): { action: string; index: number } | undefined {
  const valued = new Set(['-o', '-c', '-t', '--option', '--config-file', '--target-release', '--setopt', '-x', '--exclude', '-R', '--root', '--installroot']);
  for (let i = 0; i < command.args.length; i++) {
    const value = arg(command, i);
    if (value === undefined) return undefined;
    if (value.startsWith('-')) {
      if (valued.has(value)) i++;
      continue;
    }
    return { action: value, index: i };
  }
  return undefined;
}

function assumesYes(command: ShellCommand): boolean {
  return values(command).some(
    (w) =>
      /^-[a-zA-Z]*y[a-zA-Z]*$/.test(w) ||
      ['--yes', '--assume-yes', '-n', '--non-interactive', '--no-confirm', '-qq', '-q=2', '--quiet=2'].includes(w) ||
      /^(?:APT::Get::Assume-Yes|APT::Get::force-yes)=(?:true|1|yes)$/i.test(w) ||
      /^assumeyes=(?:true|1|yes)$/i.test(w),
  );
}

function isWait(command: ShellCommand): boolean {
  const words = values(command);
  if (command.program === 'cloud-init' && words.includes('status') && words.some((w) => w === '--wait' || w === '-w')) return true;
  if (command.program === 'flock' || command.program === 'fuser' || command.program === 'lsof') return true;
  if (command.program === 'systemd-run') return true;
  if (words.some((w) => /DPkg::Lock::Timeout/i.test(w))) return true;
  if (words.some((w) => /apt-daily|unattended-upgrade|dpkg\/lock/.test(w))) return true;
  if (command.program === 'unattended-upgrade' || command.program === 'unattended-upgrades') return true;
  return false;
}

function connectionChange(command: ShellCommand): boolean {
  const words = values(command);
  const joined = words.join(' ');
  switch (command.program) {
    case 'ufw':
      return /^(?:--force )?(?:enable|default deny)/.test(joined);
    case 'iptables':
    case 'ip6tables':
      return /-P INPUT (?:DROP|REJECT)/.test(joined);
    case 'firewall-cmd':
      return words.some((w) => /^--set-default-zone=(?:drop|block)$/.test(w) || w === '--remove-service=ssh');
    case 'systemctl':
      return /^(?:stop|disable|mask)\b/.test(joined) && words.some((w) => /^sshd?(?:\.service|\.socket)?$/.test(w));
    case 'service':
      return /^ssh\S*$/.test(words[0] ?? '') && words[1] === 'stop';
    default:
      return false;
  }
}

/** waagent -deprovision, also through a variable named for it (`"$WAAGENT" -force -deprovision+user`). */
function generalizes(command: ShellCommand): boolean {
  return (command.program === 'waagent' || command.variable?.toLowerCase() === 'waagent') && values(command).some((w) => /^-+deprovision/.test(w));
}

const SSH_USERS =
  "AllowUsers/AllowGroups in sshd_config admits only the users it names: unless the build user is one, AIB loses its SSH connection and the build fails ('context cancelled')";

export interface ShellRuleContext {
  /** The deprovisioning override: the one script allowed to generalize the VM. */
  override: boolean;
}

/** Applies AIB205, AIB207-AIB210 and AIB212 to the commands of one script. */
export function shellCommandRules(analysis: ShellAnalysis, context: ShellRuleContext, report: ShellReport): void {
  let firstApt: ShellCommand | undefined;
  let waits = false;
  for (const command of analysis.commands) {
    if (isWait(command)) waits = true;
    if (isReboot(command)) {
      report(
        'AIB205',
        command.start,
        `${command.program} in a Shell step: Linux images have no restart customizer; the connection drops and the build fails. Make the change take effect without a reboot, or let the deployed VM reboot`,
      );
    }
    if (PACKAGE_TOOLS.has(command.program)) {
      const found = packageAction(command);
      const isApt = command.program === 'apt-get' || command.program === 'apt' || command.program === 'aptitude';
      if (found && isApt && firstApt === undefined && !isWait(command)) firstApt = command;
      if (found && CHANGES.has(found.action) && !(found.action === 'update' && isApt) && !assumesYes(command) && command.stdin !== 'pipe') {
        report(
          'AIB208',
          command.nameStart,
          `${command.program} ${found.action} without -y waits for a confirmation that never comes; the build hangs until it times out (add -y${command.program === 'zypper' ? ', or zypper -n' : ''})`,
        );
      }
    }
    if (command.program === 'read' && command.stdin === 'terminal' && !values(command).some((w) => /^-[a-zA-Z]*[tu]/.test(w))) {
      report('AIB209', command.start, 'read waits for input from the terminal, which an unattended build never gives; the build hangs until it times out');
    }
    if (generalizes(command) && !context.override) {
      report(
        'AIB207',
        command.start,
        'waagent -deprovision in a customizer generalizes the VM before AIB is done with it; only the deprovisioning script (/tmp/DeprovisioningScript.sh) may run it',
      );
    }
    if (connectionChange(command)) {
      report(
        'AIB212',
        command.nameStart,
        `this changes the firewall or SSH, which AIB uses to reach the build VM; a change that cuts the connection fails the build ('context cancelled'). Keep SSH reachable until the end of the build`,
      );
    }
  }
  // AllowUsers / AllowGroups written into sshd's configuration admit only some users: the builder's may not be one.
  const allow = /\bAllow(?:Users|Groups)\b/;
  for (const write of analysis.writes) {
    if (!/sshd_config/.test(write.target)) continue;
    const piece = write.pieces.find((p) => allow.test(p.text));
    if (piece) report('AIB212', piece.start, SSH_USERS);
  }
  for (const command of analysis.commands) {
    if (command.program === 'sed' && values(command).some((w) => allow.test(w)) && values(command).some((w) => /sshd_config/.test(w)))
      report('AIB212', command.nameStart, SSH_USERS);
  }
  if (firstApt && !waits) {
    report(
      'AIB210',
      firstApt.start,
      "apt-get with no wait for cloud-init or the dpkg lock: on a new Ubuntu VM, cloud-init and unattended upgrades hold the lock and apt-get fails. Run 'cloud-init status --wait' first and pass -o DPkg::Lock::Timeout=600",
    );
  }
  if (context.override && !analysis.commands.some(generalizes)) {
    report(
      'AIB217',
      0,
      'this deprovisioning override never runs waagent -deprovision: the image is not generalized, and VMs made from it keep the build VM identity (and its user). Run sudo waagent -force -deprovision+user && export HISTSIZE=0 && sync at its end, as the default does',
    );
  }
}
