import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { IoError } from '../errors.js';

const MAX_LINKS = 40;

/**
 * Where `path` really leads, resolved as the kernel does: component by component, each symlink
 * replaced by its target before the next `..` is applied. (Node's JavaScript `fs.realpathSync`
 * collapses `..` first, so `a/up/../x` with `up -> ../d` would wrongly stay inside.) When a
 * component does not exist, the rest is appended as written: what the path will be once created.
 */
export function realPathOf(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch {
    // Missing somewhere, or a dangling link: walk it by hand.
  }
  let links = 0;
  const walk = (base: string, rest: string[]): string => {
    let current = base;
    for (let i = 0; i < rest.length; i++) {
      const part = rest[i] as string;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        current = dirname(current);
        continue;
      }
      const next = join(current, part);
      let isLink = false;
      try {
        isLink = lstatSync(next).isSymbolicLink();
      } catch {
        // Does not exist: nothing below it can be a link.
        return resolve(next, ...rest.slice(i + 1));
      }
      if (!isLink) {
        current = next;
        continue;
      }
      if (++links > MAX_LINKS) throw new IoError(`${path}: too many levels of symbolic links`);
      const target = readlinkSync(next);
      current = walk(isAbsolute(target) ? sep : current, target.split(/[\\/]+/));
    }
    return current;
  };
  return walk(sep, absolute.split(sep));
}
