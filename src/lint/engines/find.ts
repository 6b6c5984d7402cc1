import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { onPath } from '../../util/find-program.js';

/** An outside program aibgen found, as shown in --verbose and JSON output. */
export interface EngineInfo {
  name: string;
  path: string;
  version: string;
}

export { onPath };

/** pwsh: AIBGEN_PWSH, else on PATH, else where `dotnet tool install --global PowerShell` puts it. */
export function findPwsh(): string | undefined {
  const fromEnv = process.env.AIBGEN_PWSH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return onPath('pwsh') ?? (existsSync(join(homedir(), '.dotnet/tools/pwsh')) ? join(homedir(), '.dotnet/tools/pwsh') : undefined);
}

/** ShellCheck: AIBGEN_SHELLCHECK, else on PATH. */
export function findShellcheck(): string | undefined {
  const fromEnv = process.env.AIBGEN_SHELLCHECK;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return onPath('shellcheck');
}

export function findBash(): string | undefined {
  return onPath('bash');
}
