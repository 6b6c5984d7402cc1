import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The first executable file named `program` in a folder of PATH. */
export function onPath(program: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    try {
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    } catch {
      // Unreadable folder: the next one.
    }
  }
  return undefined;
}
