import { existsSync, realpathSync, statSync } from 'node:fs';
import { realPathOf } from '../util/real-path.js';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UnsafeInputError, describeFsError } from '../errors.js';

/**
 * Where a project may read and write. Inputs (template, scripts, files, payloads, vars files,
 * partials) must lie inside the project's root: the enclosing git work tree when there is one
 * (monorepos share script folders), else the project folder. Outputs must lie inside the project
 * folder itself. Symlinks are resolved before every check, so a link cannot smuggle a path out.
 */
export interface ProjectRoots {
  /** The project folder, real path. */
  dir: string;
  /** Where inputs may come from: the git work tree holding the project, else `dir`. Real path. */
  root: string;
  /** How `root` was chosen, for messages. */
  rootKind: 'git work tree' | 'project folder';
}

export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export function strictlyInside(parent: string, child: string): boolean {
  return child !== parent && isInside(parent, child);
}

export function projectRoots(projectDir: string): ProjectRoots {
  const dir = realpathSync.native(projectDir);
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return { dir, root: current, rootKind: 'git work tree' };
    if (dirname(current) === current) return { dir, root: dir, rootKind: 'project folder' };
  }
}

export interface ConfinedPath {
  /** The path as written in the project file. */
  given: string;
  /** Absolute path (symlinks not resolved): what is read or written. */
  path: string;
  /** Real path (symlinks resolved): what the checks compare. */
  real: string;
}

/** An input path: relative, and inside the root after symlinks are resolved. */
export function confineInput(roots: ProjectRoots, given: string, where: string, kind: 'file' | 'dir'): ConfinedPath {
  if (isAbsolute(given) || /^[A-Za-z]:[\\/]/.test(given)) {
    throw new UnsafeInputError(`${where}: "${given}" is an absolute path; paths in the project file are relative to the project folder`, [
      'write it relative to the folder that holds aibgen.json, so the project builds the same on every machine',
    ]);
  }
  const path = resolve(roots.dir, given);
  // Where it leads, through every symlink that exists on the way: judged before existence, so a
  // path outside is called that whether or not something is there.
  let real = realPathOf(path);
  if (!isInside(roots.root, real)) {
    const through = real === path ? '' : ` (through a symlink, it is ${real})`;
    throw new UnsafeInputError(`${where}: "${given}" lies outside the ${roots.rootKind} ${roots.root}${through}`, [
      `inputs must lie inside the ${roots.rootKind}; move or copy it there`,
    ]);
  }
  try {
    real = realpathSync.native(path);
  } catch (error) {
    throw new UnsafeInputError(`${where}: ${kind === 'dir' ? 'folder' : 'file'} not found (${given}): ${describeFsError(error)}`);
  }
  const info = statSync(real);
  if (kind === 'dir' ? !info.isDirectory() : !info.isFile()) {
    throw new UnsafeInputError(`${where}: "${given}" is not a ${kind === 'dir' ? 'folder' : 'regular file'}`);
  }
  return { given, path, real };
}

/** An output path: relative, and inside the project folder after symlinks are resolved. */
export function confineOutput(roots: ProjectRoots, given: string, where: string): ConfinedPath {
  if (isAbsolute(given) || /^[A-Za-z]:[\\/]/.test(given)) {
    throw new UnsafeInputError(`${where}: "${given}" is an absolute path; outputs go inside the project folder`, [
      'write it relative to the project folder, e.g. "dist/template.json"',
    ]);
  }
  const path = resolve(roots.dir, given);
  const real = realPathOf(path);
  if (!strictlyInside(roots.dir, real)) {
    const through = real === path ? '' : ` (through a symlink, it is ${real})`;
    throw new UnsafeInputError(`${where}: "${given}" lies outside the project folder ${roots.dir}${through}`, [
      'outputs must lie inside the project folder, e.g. "dist/..."',
    ]);
  }
  return { given, path, real };
}
