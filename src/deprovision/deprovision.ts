import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { templatesDir } from '../util/package-paths.js';
import { UsageError } from '../errors.js';
import { inlineFileCommands, type FileStep, type PowerShellStep, type ShellStep } from '../customizers/index.js';
import { sha256Hex } from '../util/sha256.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { Os } from '../util/os.js';

export interface LinuxDeprovisionOptions {
  os: 'linux';
  /** `-deprovision` instead of `-deprovision+user`: keep the build user account. */
  keepUser?: boolean;
  /** Run `cloud-init clean --logs --seed` where cloud-init exists. */
  cloudInitClean?: boolean;
  /** Commands run first, in order; the first failure stops the build. */
  pre?: string[];
}

export interface WindowsDeprovisionOptions {
  os: 'windows';
  /** Add `/mode:vm` to Sysprep. */
  modeVm?: boolean;
  /** Every wait loop gives up after this many minutes (default 30). */
  timeoutMinutes?: number;
  pre?: string[];
}

export type DeprovisionOptions = LinuxDeprovisionOptions | WindowsDeprovisionOptions;

export interface DeprovisionScript {
  os: Os;
  /** DeprovisioningScript.sh or DeprovisioningScript.ps1. */
  fileName: string;
  /** Where AIB runs it on the build VM. */
  vmPath: string;
  bytes: Buffer;
  mode: number;
  sha256: string;
}

export const VM_PATHS = { linux: '/tmp/DeprovisioningScript.sh', windows: 'c:\\DeprovisioningScript.ps1' } as const;

/** What decides the override's bytes: its template and the variables the options give it. */
export interface DeprovisionRecipe {
  os: Os;
  fileName: string;
  vmPath: string;
  templatePath: string;
  template: string;
  vars: Record<string, unknown>;
}

/** The template and variables for the options (checked), without rendering: build digests these to reuse an unchanged override. */
export async function deprovisionRecipe(options: DeprovisionOptions): Promise<DeprovisionRecipe> {
  const fileName = options.os === 'linux' ? 'DeprovisioningScript.sh' : 'DeprovisioningScript.ps1';
  const templatePath = join(templatesDir(), 'deprovision', `${fileName}.hbs`);
  const vars =
    options.os === 'linux'
      ? { keepUser: options.keepUser ?? false, cloudInitClean: options.cloudInitClean ?? false, pre: options.pre ?? [] }
      : { modeVm: options.modeVm ?? false, timeoutMinutes: validTimeout(options.timeoutMinutes ?? 30), pre: options.pre ?? [] };
  for (const command of vars.pre) {
    if (command.trim() === '') throw new UsageError('--pre needs a command, got an empty string');
  }
  return { os: options.os, fileName, vmPath: VM_PATHS[options.os], templatePath, template: await readFile(templatePath, 'utf8'), vars };
}

/** Renders the built-in override for the options. */
export async function deprovisionScript(options: DeprovisionOptions): Promise<DeprovisionScript> {
  const recipe = await deprovisionRecipe(options);
  // Handlebars is loaded only when something is rendered.
  const { renderText } = await import('../render/index.js');
  const result = await renderText(recipe.template, recipe.templatePath, { vars: recipe.vars, outputName: recipe.fileName });
  return {
    os: recipe.os,
    fileName: recipe.fileName,
    vmPath: recipe.vmPath,
    bytes: result.bytes,
    mode: result.mode,
    sha256: sha256Hex(result.bytes),
  };
}

/** Minutes, above 0 and at most 960 (the build timeout's maximum); fractions allowed (tests wait seconds, not minutes). */
function validTimeout(minutes: number): number {
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 960) {
    throw new UsageError(`--timeout-minutes must be a number above 0 and at most 960 (the build timeout's maximum), got ${minutes}`);
  }
  return minutes;
}

/** The customizer that installs the override: a File step from `uri`, or inline commands carrying the script. */
export function deprovisionCustomizer(script: DeprovisionScript, delivery: { uri: string } | { inline: true }): FileStep | ShellStep | PowerShellStep {
  const name = 'aibgen-deprovisioning-override';
  if ('uri' in delivery) {
    return { type: 'File', name, sourceUri: delivery.uri, destination: script.vmPath, sha256Checksum: script.sha256 };
  }
  const inline = inlineFileCommands({ os: script.os, path: script.vmPath, content: script.bytes, sudo: true });
  return script.os === 'linux' ? { type: 'Shell', name, inline } : { type: 'PowerShell', name, runElevated: true, inline };
}

/** Writes the override into `output` (a folder, or a file path); returns the path written. */
export async function writeDeprovisionScript(script: DeprovisionScript, output = '.'): Promise<string> {
  let path = output;
  const isDir =
    output.endsWith('/') ||
    (await stat(output).then(
      (s) => s.isDirectory(),
      () => false,
    ));
  if (isDir) path = join(output, script.fileName);
  await writeFileAtomic(path, script.bytes, { mode: script.mode, forceMode: true });
  return path;
}
