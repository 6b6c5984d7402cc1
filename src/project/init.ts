import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { IoError, ProjectError, describeFsError, isNodeError } from '../errors.js';
import { packageFile, templatesDir } from '../util/package-paths.js';
import { SCHEMA_COPY } from './schema-copy.js';
import type { Os } from '../util/os.js';

export interface InitOptions {
  os: Os;
}

export interface InitResult {
  dir: string;
  files: string[];
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(root, full)));
    else out.push(relative(root, full));
  }
  return out.sort();
}

/** npm leaves files named .gitignore out of packages, so the scaffold stores dot files without the dot. */
const RENAMES: Record<string, string> = { gitignore: '.gitignore', gitattributes: '.gitattributes' };

async function kindAt(path: string): Promise<'missing' | 'dir' | 'other'> {
  try {
    return (await lstat(path)).isDirectory() ? 'dir' : 'other';
  } catch (error) {
    // ENOTDIR: something on the way is a file, which the check of the folders above reports.
    if (isNodeError(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return 'missing';
    throw new IoError(`cannot read ${path}: ${describeFsError(error)}`, error);
  }
}

/**
 * Scaffolds a project that `aibgen build` builds as it is: aibgen.json, template.json, a script
 * template, a payload folder, vars.json, .gitignore and .gitattributes. All or nothing: every
 * target is checked first (no file may exist, no folder on the way may be a file), and if writing
 * still fails, what was written is removed again.
 */
export async function init(dir: string, options: InitOptions): Promise<InitResult> {
  const source = join(templatesDir(), 'init', options.os);
  // The scaffold's files, and the schema aibgen.json's $schema points at (copied, so it resolves for every install route).
  const sources = [...(await listFiles(source)).map((f) => join(source, f)), packageFile('schema', SCHEMA_COPY)];
  const files = [...(await listFiles(source)).map((f) => RENAMES[f] ?? f), SCHEMA_COPY];
  const root = resolve(dir);

  const blocked: string[] = [];
  const folders = new Set<string>();
  for (const file of files) {
    for (let folder = dirname(join(root, file)); ; folder = dirname(folder)) {
      folders.add(folder);
      if (folder === root || !folder.startsWith(root + sep)) break;
    }
  }
  for (let folder = dirname(root); folder !== dirname(folder); folder = dirname(folder)) folders.add(folder);
  for (const folder of [...folders].sort()) {
    const kind = await kindAt(folder);
    if (kind === 'other') blocked.push(`${folder} is a file, not a folder`);
  }
  for (const file of files) {
    if ((await kindAt(join(root, file))) !== 'missing') blocked.push(`${join(dir, file)} already exists`);
  }
  if (blocked.length > 0) {
    throw new ProjectError(`cannot create a project in ${dir}: ${blocked.length} problem(s); nothing was written`, [
      ...blocked,
      'init only creates new files: use an empty or new folder',
    ]);
  }

  const created: string[] = [];
  const madeFolders: string[] = [];
  try {
    for (const [index, file] of sources.entries()) {
      const target = join(root, files[index] as string);
      const made = await mkdir(dirname(target), { recursive: true });
      // mkdir names the topmost folder it created; everything below it is new too.
      if (made) for (let folder = dirname(target); folder.length >= made.length; folder = dirname(folder)) madeFolders.push(folder);
      await copyFile(file, target, constants.COPYFILE_EXCL);
      created.push(target);
    }
  } catch (error) {
    for (const file of created.reverse()) await rm(file, { force: true });
    for (const folder of madeFolders.sort((a, b) => b.length - a.length)) await rmdir(folder).catch(() => undefined);
    throw new IoError(`cannot create the project in ${dir}: ${describeFsError(error)}; nothing was left behind`, error);
  }
  return { dir, files };
}
