import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { realPathOf } from '../util/real-path.js';
import ignore, { type Ignore } from 'ignore';
import { AibgenError, cannotRead, describeFsError, InputError } from '../errors.js';

/** One thing to put in an archive. Paths are relative, with forward slashes; directories end without a slash. */
export type BundleEntry =
  | { kind: 'file'; path: string; source: string; size: number; executable: boolean }
  | { kind: 'dir'; path: string }
  | { kind: 'symlink'; path: string; target: string };

export interface WalkOptions {
  /** gitignore-style patterns, on top of `.git/` and the root's `.aibignore`. */
  exclude?: readonly string[];
  /** Store the content of symlinks that point outside the folder (or are absolute) instead of refusing them. */
  followSymlinks?: boolean;
}

export interface WalkResult {
  entries: BundleEntry[];
  files: number;
  bytesIn: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function refuse(path: string, why: string, fix: string): AibgenError {
  return new AibgenError('E_BUNDLE', `${path}: ${why}`, { details: [fix] });
}

/** Byte order of UTF-8, which is what "sorted by name" means in a tar and keeps any locale out of it. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Synchronous file-system calls on purpose: listing thousands of small files one awaited
 * thread-pool round trip at a time is several times slower here than plain syscalls.
 *
 * Lists a payload folder for archiving: sorted by the bytes of the path, excludes applied, and
 * everything that cannot be reproduced or would escape the folder refused with the path named.
 */
export function walkPayload(root: string, options: WalkOptions = {}): WalkResult {
  const absoluteRoot = resolve(root);
  let rootStat;
  try {
    rootStat = statSync(absoluteRoot);
  } catch (error) {
    throw cannotRead(`cannot read payload folder ${root}`, error);
  }
  if (!rootStat.isDirectory()) throw new InputError(`${root} is not a folder; aibgen bundle packs a folder`);
  const realRoot = realpathSync.native(absoluteRoot);

  const matcher: Ignore = ignore().add(['.git/', '.aibignore']);
  try {
    matcher.add(readFileSync(join(absoluteRoot, '.aibignore'), 'utf8'));
  } catch {
    // No .aibignore: nothing more to exclude.
  }
  matcher.add([...(options.exclude ?? [])]);

  const entries: BundleEntry[] = [];
  const visitedDirs = new Set<string>([realRoot]);

  const visit = (dir: string, rel: string): void => {
    let names: Buffer[];
    try {
      names = readdirSync(dir, { encoding: 'buffer' });
    } catch (error) {
      throw new InputError(`cannot read folder ${join(root, rel)}: ${describeFsError(error)}`);
    }
    for (const raw of names) {
      let name: string;
      try {
        name = utf8.decode(raw);
      } catch {
        throw refuse(
          join(root, rel, raw.toString('latin1')),
          'the name is not valid UTF-8',
          'rename the file; archive names must be UTF-8 to mean the same on every machine',
        );
      }
      const relPath = rel ? `${rel}/${name}` : name;
      const full = join(dir, name);
      const info = lstatSync(full);
      if (info.isDirectory()) {
        if (matcher.ignores(`${relPath}/`)) continue;
        entries.push({ kind: 'dir', path: relPath });
        visit(full, relPath);
      } else if (info.isFile()) {
        if (matcher.ignores(relPath)) continue;
        entries.push({ kind: 'file', path: relPath, source: full, size: info.size, executable: (info.mode & 0o100) !== 0 });
      } else if (info.isSymbolicLink()) {
        if (matcher.ignores(relPath)) continue;
        addSymlink(full, relPath);
      } else {
        if (matcher.ignores(relPath)) continue;
        const what = info.isFIFO() ? 'a FIFO' : info.isSocket() ? 'a socket' : 'a device file';
        throw refuse(join(root, relPath), `is ${what}, which an archive cannot carry`, `remove it, or exclude it with --exclude '${relPath}' or .aibignore`);
      }
    }
  };

  const addSymlink = (full: string, relPath: string): void => {
    const target = readlinkSync(full);
    // Where the link really leads, through every link on the way (a/b/up/../.. with up -> ../..);
    // a dangling link is followed as far as it exists.
    const real = realPathOf(full);
    const fromRoot = relative(realRoot, real);
    const inside = fromRoot === '' || (!fromRoot.startsWith(`..${sep}`) && fromRoot !== '..' && !isAbsolute(fromRoot));
    if (inside && !isAbsolute(target)) {
      const home = realpathSync.native(dirname(full));
      if (real === home || home.startsWith(real + sep)) {
        throw refuse(
          join(root, relPath),
          `is a symlink to ${target}, a folder that contains the link itself (a loop)`,
          'remove the link, or exclude it with --exclude or .aibignore',
        );
      }
      entries.push({ kind: 'symlink', path: relPath, target });
      return;
    }
    if (!options.followSymlinks) {
      const through = !isAbsolute(target) && resolve(dirname(full), target) !== real ? ` (through other links it leads to ${real})` : '';
      throw refuse(
        join(root, relPath),
        `is a symlink to ${target}, ${isAbsolute(target) ? 'an absolute path' : 'outside the payload folder'}${through}`,
        'make it relative and inside the folder, exclude it, or pass --follow-symlinks to store what it points to',
      );
    }
    let info;
    try {
      info = statSync(full);
    } catch (error) {
      throw refuse(join(root, relPath), `is a symlink to ${target}, which cannot be read: ${describeFsError(error)}`, 'fix or remove the link');
    }
    if (info.isFile()) {
      entries.push({ kind: 'file', path: relPath, source: full, size: info.size, executable: (info.mode & 0o100) !== 0 });
    } else if (info.isDirectory()) {
      const real = realpathSync.native(full);
      if (visitedDirs.has(real) || real.startsWith(realRoot + sep)) {
        throw refuse(join(root, relPath), `is a symlink to ${target}, which leads back into folders already packed (a loop)`, 'remove the link or exclude it');
      }
      visitedDirs.add(real);
      entries.push({ kind: 'dir', path: relPath });
      visit(full, relPath);
    } else {
      throw refuse(join(root, relPath), `is a symlink to ${target}, which is not a regular file or folder`, 'remove the link or exclude it');
    }
  };

  visit(absoluteRoot, '');
  entries.sort((a, b) => compareBytes(a.path, b.path));
  const files = entries.filter((e) => e.kind !== 'dir').length;
  if (files === 0) {
    throw new AibgenError('E_BUNDLE', `${root}: nothing to bundle (no files${entries.length > 0 ? ', only empty folders' : ''} after excludes)`, {
      details: ['check the folder, --exclude patterns and .aibignore'],
    });
  }
  const bytesIn = entries.reduce((sum, e) => sum + (e.kind === 'file' ? e.size : 0), 0);
  return { entries, files, bytesIn };
}
