import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { deprovisionCustomizer, deprovisionScript, writeDeprovisionScript, type DeprovisionOptions } from '../deprovision/index.js';
import type { Output } from './output.js';
import type { DeprovisionCliOptions } from './commands/deprovision.js';

export async function deprovisionCommand(options: DeprovisionCliOptions, io: Output): Promise<number> {
  if (!options.os) throw new UsageError('--os linux|windows is required');
  const linuxOnly = options.keepUser || options.cloudInitClean;
  const windowsOnly = options.modeVm || options.timeoutMinutes !== undefined;
  if (options.os === 'windows' && linuxOnly) throw new UsageError('--keep-user and --cloud-init-clean are Linux options (waagent, cloud-init)');
  if (options.os === 'linux' && windowsOnly) throw new UsageError('--mode-vm and --timeout-minutes are Windows options (Sysprep)');
  if (options.customizer && Boolean(options.uri) === Boolean(options.inline)) {
    throw new UsageError(
      '--customizer needs exactly one of --uri <url> (a File step from where you host the script) or --inline (the script travels in the template)',
    );
  }
  const spec: DeprovisionOptions =
    options.os === 'linux'
      ? { os: 'linux', keepUser: options.keepUser, cloudInitClean: options.cloudInitClean, pre: options.pre }
      : { os: 'windows', modeVm: options.modeVm, timeoutMinutes: options.timeoutMinutes, pre: options.pre };
  const script = await deprovisionScript(spec);
  if (options.output === '-') {
    io.data(script.bytes);
  } else {
    const path = await writeDeprovisionScript(script, options.output ?? '.');
    if (basename(path) !== script.fileName)
      io.err(`aibgen: warning: ${path}: AIB only runs a file named ${script.fileName} at ${script.vmPath}; keep that name where you upload it\n`);
    io.err(`${path}: sha256 ${script.sha256}\n`);
  }
  if (options.customizer) {
    const entry = deprovisionCustomizer(script, options.uri ? { uri: options.uri } : { inline: true });
    io.out(`${JSON.stringify(entry, null, 2)}\n`);
  }
  return 0;
}
