import { readFile } from 'node:fs/promises';
import { cannotRead, InputError, UsageError } from '../errors.js';

export type Variables = Record<string, unknown>;

const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge where `over` wins; objects merge, everything else (arrays included) is replaced. */
export function mergeVariables(base: Variables, over: Variables): Variables {
  const out: Variables = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeVariables(current, value) : value;
  }
  return out;
}

/** Sets `a.b.c` in `target`, making objects on the way. */
export function setPath(target: Variables, dotted: string, value: unknown, flag: string): void {
  const keys = dotted.split('.');
  if (keys.some((k) => k === '' || FORBIDDEN_KEYS.has(k)))
    throw new UsageError(`${flag} ${dotted}: not a valid variable name`, ['use names like nginx.version (dots make nested objects)']);
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (!isPlainObject(next)) node[key] = {};
    node = node[key] as Variables;
  }
  node[keys.at(-1) as string] = value;
}

function splitAssignment(spec: string, flag: string): [string, string] {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`${flag} "${spec}" is not key=value`, [`example: ${flag} nginx.version=${flag === '--set-json' ? '[1,2]' : '1.24'}`]);
  return [spec.slice(0, eq), spec.slice(eq + 1)];
}

export interface VariableSources {
  /** JSON files, merged in order (later wins). */
  varsFiles?: readonly string[];
  /** Variables given directly (e.g. from a project file), applied after the files. */
  vars?: Variables;
  /** key=value (the value stays a string); dotted keys make nested objects. */
  set?: readonly string[];
  /** key=<JSON> for numbers, booleans, lists and objects. */
  setJson?: readonly string[];
}

/** Builds the variables for rendering: files, then `vars`, then --set-json, then --set. */
export async function loadVariables(sources: VariableSources): Promise<Variables> {
  let vars: Variables = {};
  for (const file of sources.varsFiles ?? []) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw cannotRead(`cannot read variables file ${file}`, error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new InputError(`${file}: not valid JSON (${(error as Error).message})`);
    }
    if (!isPlainObject(parsed))
      throw new InputError(`${file}: must hold a JSON object of variables, not ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
    vars = mergeVariables(vars, parsed);
  }
  if (sources.vars) vars = mergeVariables(vars, sources.vars);
  for (const spec of sources.setJson ?? []) {
    const [key, raw] = splitAssignment(spec, '--set-json');
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new UsageError(`--set-json ${key}: the value is not JSON (${(error as Error).message})`, [
        'quote it for your shell, e.g. --set-json \'packages=["nginx","curl"]\'',
      ]);
    }
    setPath(vars, key, value, '--set-json');
  }
  for (const spec of sources.set ?? []) {
    const [key, value] = splitAssignment(spec, '--set');
    setPath(vars, key, value, '--set');
  }
  return vars;
}
