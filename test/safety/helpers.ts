import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ROOT, aibgen, type CliResult } from '../helpers.js';

/** Every entry under `root` with its mode and content hash (or link target): what "nothing changed" means. */
export async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const visit = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name);
      const path = rel ? `${rel}/${name}` : name;
      const info = await lstat(full);
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isSymbolicLink()) out.set(path, `link ${await readlink(full)}`);
      else if (info.isDirectory()) {
        out.set(path, `dir ${mode}`);
        await visit(full, path);
      } else if (info.isFile())
        out.set(
          path,
          `file ${mode} ${createHash('sha256')
            .update(await readFile(full))
            .digest('hex')}`,
        );
      else out.set(path, `other ${mode}`);
    }
  };
  await visit(root, '');
  return out;
}

/** Runs the CLI and asserts a refusal: exit 2, the message on one line of stderr, and no file under `watch` changed. */
export async function expectRefusal(args: string[], watch: string, message: string | RegExp, options: Parameters<typeof aibgen>[1] = {}): Promise<CliResult> {
  const before = await snapshot(watch);
  const result = await aibgen(args, options);
  expect(result.stderr).toMatch(typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message);
  expect(result.exitCode, result.stderr).toBe(2);
  expect(await snapshot(watch)).toEqual(before);
  return result;
}

export const INIT = (os: 'linux' | 'windows') => join(ROOT, 'templates', 'init', os);

export interface ProjectSpec {
  template?: string;
  output?: string;
  artifacts?: string;
  baseUri?: string;
  [key: string]: unknown;
}

/** A Linux project from the init scaffold, with aibgen.json replaced by `spec` (defaults filled in). */
export async function makeProject(dir: string, spec: ProjectSpec = {}): Promise<string> {
  const { cp, writeFile } = await import('node:fs/promises');
  await cp(INIT('linux'), dir, { recursive: true });
  const file = {
    template: 'template.json',
    output: 'dist/template.json',
    artifacts: 'dist/artifacts',
    baseUri: 'https://contoso.blob.core.windows.net/aib/',
    varsFiles: ['vars.json'],
    customize: [
      { name: 'setup', script: 'scripts/setup.sh.hbs' },
      { name: 'site', payload: 'payload/site', destination: '/var/www/html' },
    ],
    ...spec,
  };
  await writeFile(join(dir, 'aibgen.json'), `${JSON.stringify(file, null, 2)}\n`);
  return dir;
}
