import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { onPath } from '../../util/find-program.js';

/** Where the Bicep compiler is: AIBGEN_BICEP, else `bicep` on PATH, else the copy `az bicep install` keeps in ~/.azure/bin. */
export function findBicep(env: NodeJS.ProcessEnv = process.env): { path: string; via: string } | undefined {
  const given = env.AIBGEN_BICEP;
  if (given) return existsSync(given) ? { path: given, via: 'AIBGEN_BICEP' } : undefined;
  const found = onPath('bicep', env.PATH ?? '');
  if (found) return { path: found, via: 'PATH' };
  const az = join(homedir(), '.azure', 'bin', 'bicep');
  if (existsSync(az)) return { path: az, via: 'az bicep' };
  return undefined;
}
