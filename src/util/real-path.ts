import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { IoError } from '../errors.js';

/**
 * The real path of `path`, or, when it does not exist yet, the real path of its deepest existing
 * ancestor with the rest appended: what the path will be once created.
 */
export function realPathOf(path: string, depth = 0): string {
  if (depth > 40) throw new IoError(`${path}: too many levels of symbolic links`);
  const absolute = resolve(path);
  const missing: string[] = [];
  for (let current = absolute; ; current = dirname(current)) {
    try {
      return join(realpathSync(current), ...missing.reverse());
    } catch {
      if (dirname(current) === current) return absolute;
      // A dangling symlink still leads somewhere: follow its text like a path.
      try {
        if (lstatSync(current).isSymbolicLink()) return join(realPathOf(resolve(dirname(current), readlinkSync(current)), depth + 1), ...missing.reverse());
      } catch {
        // Not a link either: keep walking up.
      }
      missing.push(current.slice(dirname(current).length).replace(/^[\\/]/, ''));
    }
  }
}

