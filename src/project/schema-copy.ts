import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { packageFile } from '../util/package-paths.js';
import type { Project } from './project.js';

/** The file name init gives the project's copy of the project file's JSON Schema. */
export const SCHEMA_COPY = 'aibgen.schema.json';

/**
 * The project's copy of aibgen.json's JSON Schema, which `$schema` points at so editors complete and
 * check the file for every install route (global, npx, a dependency, a clone) with no network and
 * no node_modules. Build keeps it current: when `$schema` names a file called aibgen.schema.json
 * inside the project folder, that file is written with this aibgen's schema (checked with --check).
 */
export async function schemaCopyOf(project: Project): Promise<{ path: string; text: string } | undefined> {
  const value = (project.source.value as { $schema?: unknown }).$schema;
  if (typeof value !== 'string' || /^[a-z]+:/i.test(value) || isAbsolute(value) || basename(value) !== SCHEMA_COPY) return undefined;
  const path = resolve(project.dir, value);
  const inside = relative(project.dir, path);
  if (inside.startsWith('..') || inside.split(sep).includes('node_modules')) return undefined;
  return { path, text: await readFile(packageFile('schema', 'aibgen.schema.json'), 'utf8') };
}
