import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findPwsh } from '../../src/lint/index.js';
import { run, tempDir, type CliResult } from '../helpers.js';

/** Runs a PowerShell script file with pwsh (no profile, non-interactive); one process per call, so tests batch. */
export async function runPwsh(script: string, options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const dir = await tempDir('aibgen-pwsh-');
  const file = join(dir, 'script.ps1');
  // A BOM, as aibgen writes .ps1 files with non-ASCII text (pwsh reads either way; Windows PowerShell 5.1 needs it).
  await writeFile(file, `\uFEFF${script}`);
  return run(findPwsh() ?? 'pwsh', ['-NoProfile', '-NonInteractive', '-File', file], { cwd: options.cwd ?? dir, env: options.env });
}

/**
 * The generated commands use Windows paths under C:\; pwsh on Linux runs them with C:\ moved under
 * `root` and backslashes as slashes (.NET on Linux, unlike PowerShell's cmdlets, takes a backslash as
 * part of a file name).
 */
export function underRoot(commands: readonly string[], root: string): string[] {
  return commands.map((c) => c.replace(/'C:\\([^']*)'/gi, (_, rest: string) => `'${root}/C/${rest.replace(/\\/g, '/')}'`));
}

/** PowerShell's error view colours and wraps messages at the console width: this gives the plain text back. */
export function plain(output: string): string {
  return output
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\|\s?/, '').trim())
    .join(' ')
    .replace(/\s+/g, ' ');
}
