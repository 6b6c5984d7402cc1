import { access, cp, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { AibgenError } from '../errors.js';
import { templatesDir } from '../deprovision/index.js';

export interface InitOptions {
  os: 'linux' | 'windows';
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

/** npm leaves files named .gitignore out of packages, so the scaffold stores it without the dot. */
const RENAMES: Record<string, string> = { gitignore: '.gitignore' };

/**
 * Scaffolds a project that `aibgen build` builds as it is: aibgen.json, template.json, a script
 * template, a payload folder, vars.json and a .gitignore for dist/. Refuses to overwrite anything.
 */
export async function init(dir: string, options: InitOptions): Promise<InitResult> {
  const source = join(templatesDir(), 'init', options.os);
  const sources = await listFiles(source);
  const files = sources.map((f) => RENAMES[f] ?? f);
  const existing: string[] = [];
  for (const file of files) {
    try {
      await access(join(dir, file));
      existing.push(file);
    } catch {
      // Not there: good.
    }
  }
  if (existing.length > 0) {
    throw new AibgenError('E_INPUT', `${dir}: ${existing.length} file(s) already exist; nothing was written`, { details: [...existing, 'init only creates new files: use an empty folder'] });
  }
  for (const [index, file] of sources.entries()) {
    await cp(join(source, file), join(dir, files[index] as string), { errorOnExist: true, force: false });
  }
  return { dir, files };
}
