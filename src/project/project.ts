import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { AibgenError, InputError, describeFsError } from '../errors.js';
import { describeJsonError } from '../template/index.js';
import { LineIndex } from '../util/text-position.js';

export type Delivery = 'uri' | 'inline' | 'download';

interface StepBase {
  /** customize[i] in the project file, for messages. */
  where: string;
  name: string;
}
export type Step =
  | (StepBase & { kind: 'script'; script: string; vars: Record<string, unknown>; runElevated?: boolean; runAsSystem?: boolean; validExitCodes?: number[]; delivery: Delivery })
  | (StepBase & { kind: 'payload'; payload: string; destination: string; exclude: string[]; delivery: Delivery; maxSize?: number })
  | (StepBase & { kind: 'file'; file: string; destination: string; delivery: Delivery })
  | (StepBase & { kind: 'inline'; inline: string[]; runElevated?: boolean; runAsSystem?: boolean; validExitCodes?: number[] })
  | (StepBase & { kind: 'restart'; options: Record<string, unknown> })
  | (StepBase & { kind: 'windowsUpdate'; options: Record<string, unknown> })
  | (StepBase & { kind: 'existing'; existing: string })
  | (StepBase & { kind: 'deprovision'; options: { keepUser?: boolean; cloudInitClean?: boolean; modeVm?: boolean; timeoutMinutes?: number; pre?: string[] }; delivery: Delivery });

export interface Project {
  /** The project folder (paths in the file are relative to it). */
  dir: string;
  file: string;
  template: string;
  templateName?: string;
  output: string;
  artifacts: string;
  baseUri: string;
  os?: 'linux' | 'windows';
  vars: Record<string, unknown>;
  varsFiles: string[];
  partials?: string;
  contentAddressed: boolean;
  steps: Step[];
}

export const PROJECT_FILE = 'aibgen.json';
const KINDS = ['script', 'payload', 'file', 'inline', 'restart', 'windowsUpdate', 'existing', 'deprovision'] as const;
const COMMON = new Set(['name', 'delivery']);
const ALLOWED: Record<(typeof KINDS)[number], string[]> = {
  script: ['script', 'vars', 'runElevated', 'runAsSystem', 'validExitCodes'],
  payload: ['payload', 'destination', 'exclude', 'maxSize'],
  file: ['file', 'destination'],
  inline: ['inline', 'runElevated', 'runAsSystem', 'validExitCodes'],
  restart: ['restart'],
  windowsUpdate: ['windowsUpdate'],
  existing: ['existing'],
  deprovision: ['deprovision'],
};
const TOP = new Set(['$schema', 'template', 'templateName', 'output', 'artifacts', 'baseUri', 'os', 'vars', 'varsFiles', 'partials', 'contentAddressed', 'customize']);

function problem(file: string, path: string, message: string, fix?: string): AibgenError {
  return new AibgenError('E_PROJECT', `${file}: ${path}: ${message}`, { details: fix ? [fix] : [] });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(file: string, path: string, value: unknown, required = true): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') throw problem(file, path, value === undefined ? 'is required' : 'must be a non-empty string');
  return value;
}

async function exists(path: string, kind: 'file' | 'dir'): Promise<boolean> {
  try {
    const info = await stat(path);
    return kind === 'file' ? info.isFile() : info.isDirectory();
  } catch {
    return false;
  }
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'step';
}

function stemOf(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.hbs$/i, '').replace(/\.(tar\.gz|tgz|zip|sh|ps1|[^.]+)$/i, '');
}

/** Reads and checks aibgen.json; every problem names its place (`customize[2].payload: folder not found`). */
export async function loadProject(dirOrFile: string): Promise<Project> {
  const file = (await exists(dirOrFile, 'dir')) ? join(dirOrFile, PROJECT_FILE) : dirOrFile;
  const dir = dirname(resolve(file));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const what = file === dirOrFile ? `cannot read ${file}` : `no ${PROJECT_FILE} in ${dirOrFile}`;
    throw new InputError(`${what}: ${describeFsError(error)}`, { code: 'E_NOT_FOUND', details: ['create a project with: aibgen init --os linux|windows'] });
  }
  const errors: ParseError[] = [];
  const raw: unknown = parse(text.replace(/^\uFEFF/, ''), errors, { allowTrailingComma: true });
  if (errors[0]) {
    const { line, column } = new LineIndex(text).position(errors[0].offset);
    throw new AibgenError('E_PARSE', `${file}:${line}:${column}: ${describeJsonError(printParseErrorCode(errors[0].error))} (not valid JSON, even allowing comments and trailing commas)`);
  }
  if (!isObject(raw)) throw problem(file, '(top)', 'must be a JSON object');
  for (const key of Object.keys(raw)) if (!TOP.has(key)) throw problem(file, key, 'unknown setting', `settings: ${[...TOP].join(', ')}`);
  const rel = (p: string) => (isAbsolute(p) ? p : join(dir, p));
  const template = rel(str(file, 'template', raw.template) as string);
  if (!(await exists(template, 'file'))) throw problem(file, 'template', `file not found (${template})`);
  const baseUri = str(file, 'baseUri', raw.baseUri) as string;
  if (!/^https?:\/\//i.test(baseUri)) throw problem(file, 'baseUri', `must be an http(s) URL where the artifacts will be served, got "${baseUri}"`);
  const os = raw.os;
  if (os !== undefined && os !== 'linux' && os !== 'windows') throw problem(file, 'os', 'must be "linux" or "windows"');
  if (raw.vars !== undefined && !isObject(raw.vars)) throw problem(file, 'vars', 'must be an object of variables');
  const varsFiles = raw.varsFiles ?? [];
  if (!Array.isArray(varsFiles) || varsFiles.some((v) => typeof v !== 'string')) throw problem(file, 'varsFiles', 'must be an array of file paths');
  for (const [i, v] of (varsFiles as string[]).entries()) if (!(await exists(rel(v), 'file'))) throw problem(file, `varsFiles[${i}]`, `file not found (${v})`);
  const partials = raw.partials === undefined ? undefined : rel(str(file, 'partials', raw.partials) as string);
  if (partials && !(await exists(partials, 'dir'))) throw problem(file, 'partials', `folder not found (${partials})`);
  if (raw.contentAddressed !== undefined && typeof raw.contentAddressed !== 'boolean') throw problem(file, 'contentAddressed', 'must be true or false');
  if (!Array.isArray(raw.customize)) throw problem(file, 'customize', raw.customize === undefined ? 'is required: the list of steps' : 'must be an array of steps');

  const deprovisionSteps = (raw.customize as unknown[]).filter((e) => isObject(e) && 'deprovision' in e).length;
  if (deprovisionSteps > 1) throw problem(file, 'customize', `has ${deprovisionSteps} deprovision steps; keep one, as the last step`);
  const steps: Step[] = [];
  const names = new Map<string, string>();
  for (const [index, entry] of (raw.customize as unknown[]).entries()) {
    const where = `customize[${index}]`;
    if (!isObject(entry)) throw problem(file, where, 'must be an object with one of the keys script, payload, file, inline, restart, windowsUpdate, existing, deprovision');
    const kinds = KINDS.filter((k) => k in entry);
    if (kinds.length !== 1) {
      const unknown = Object.keys(entry).filter((k) => !COMMON.has(k) && !Object.values(ALLOWED).flat().includes(k));
      throw problem(file, where, kinds.length === 0 ? `unknown step kind${unknown.length ? ` (${unknown.join(', ')})` : ''}` : `has several step kinds (${kinds.join(', ')}); use one per step`, `step kinds: ${KINDS.join(', ')}`);
    }
    const kind = kinds[0] as (typeof KINDS)[number];
    for (const key of Object.keys(entry)) {
      if (!COMMON.has(key) && !ALLOWED[kind].includes(key)) throw problem(file, `${where}.${key}`, `not a setting of a ${kind} step`, `${kind} steps take: ${[...COMMON, ...ALLOWED[kind]].join(', ')}`);
    }
    const delivery = (entry.delivery ?? 'uri') as Delivery;
    if (!['uri', 'inline', 'download'].includes(delivery)) throw problem(file, `${where}.delivery`, 'must be "uri", "inline" or "download"');
    const value = entry[kind];
    const nameGiven = entry.name === undefined ? undefined : str(file, `${where}.name`, entry.name);
    // Restarts and updates often repeat; their default names carry the position.
    const defaultName = typeof value === 'string' ? stemOf(value) : kind === 'deprovision' ? 'deprovision' : `${kind}-${index}`;
    const name = nameGiven ?? defaultName;
    if (kind !== 'existing') {
      const key = name.toLowerCase();
      if (names.has(key)) throw problem(file, `${where}.name`, `"${name}" is already the name of ${names.get(key)}; step names must be unique`);
      names.set(key, where);
    }
    const flags = (e: Record<string, unknown>) => {
      for (const flag of ['runElevated', 'runAsSystem'] as const) if (e[flag] !== undefined && typeof e[flag] !== 'boolean') throw problem(file, `${where}.${flag}`, 'must be true or false');
      if (e.validExitCodes !== undefined && (!Array.isArray(e.validExitCodes) || e.validExitCodes.some((c) => !Number.isInteger(c)))) throw problem(file, `${where}.validExitCodes`, 'must be an array of integers');
      return { runElevated: e.runElevated as boolean | undefined, runAsSystem: e.runAsSystem as boolean | undefined, validExitCodes: e.validExitCodes as number[] | undefined };
    };
    const base = { where, name };
    switch (kind) {
      case 'script': {
        const path = rel(str(file, `${where}.script`, value) as string);
        if (!(await exists(path, 'file'))) throw problem(file, `${where}.script`, `file not found (${value as string})`);
        if (entry.vars !== undefined && !isObject(entry.vars)) throw problem(file, `${where}.vars`, 'must be an object');
        if (delivery === 'download') throw problem(file, `${where}.delivery`, '"download" is for payloads; a script is delivered by "uri" or "inline"');
        steps.push({ ...base, kind, script: path, vars: (entry.vars as Record<string, unknown>) ?? {}, ...flags(entry), delivery });
        break;
      }
      case 'payload': {
        const path = rel(str(file, `${where}.payload`, value) as string);
        if (!(await exists(path, 'dir'))) throw problem(file, `${where}.payload`, `folder not found (${value as string})`);
        const destination = str(file, `${where}.destination`, entry.destination) as string;
        const exclude = entry.exclude ?? [];
        if (!Array.isArray(exclude) || exclude.some((e) => typeof e !== 'string')) throw problem(file, `${where}.exclude`, 'must be an array of patterns');
        if (delivery === 'inline') throw problem(file, `${where}.delivery`, 'a payload is delivered by "uri" (File customizer, under 20 MB) or "download" (any size)');
        if (entry.maxSize !== undefined && (typeof entry.maxSize !== 'number' || entry.maxSize <= 0)) throw problem(file, `${where}.maxSize`, 'must be a number of bytes');
        steps.push({ ...base, kind, payload: path, destination, exclude: exclude as string[], delivery, maxSize: entry.maxSize as number | undefined });
        break;
      }
      case 'file': {
        const path = rel(str(file, `${where}.file`, value) as string);
        if (!(await exists(path, 'file'))) throw problem(file, `${where}.file`, `file not found (${value as string})`);
        if (delivery === 'download') throw problem(file, `${where}.delivery`, '"download" is for payloads; a file is delivered by "uri" or "inline"');
        steps.push({ ...base, kind, file: path, destination: str(file, `${where}.destination`, entry.destination) as string, delivery });
        break;
      }
      case 'inline':
        if (!Array.isArray(value) || value.length === 0 || value.some((c) => typeof c !== 'string')) throw problem(file, `${where}.inline`, 'must be a non-empty array of commands');
        steps.push({ ...base, kind, inline: value as string[], ...flags(entry) });
        break;
      case 'restart':
      case 'windowsUpdate':
        if (value !== true && !isObject(value)) throw problem(file, `${where}.${kind}`, `must be true or an object of ${kind === 'restart' ? 'WindowsRestart' : 'WindowsUpdate'} options`);
        steps.push({ ...base, kind, options: value === true ? {} : (value as Record<string, unknown>) });
        break;
      case 'existing':
        steps.push({ ...base, kind, existing: str(file, `${where}.existing`, value) as string, name: value as string });
        break;
      case 'deprovision': {
        if (value !== true && !isObject(value)) throw problem(file, `${where}.deprovision`, 'must be true or an object of deprovision options (keepUser, cloudInitClean, pre, modeVm, timeoutMinutes)');
        const options = value === true ? {} : (value as Record<string, unknown>);
        const known = ['keepUser', 'cloudInitClean', 'pre', 'modeVm', 'timeoutMinutes'];
        for (const key of Object.keys(options)) if (!known.includes(key)) throw problem(file, `${where}.deprovision.${key}`, 'unknown option', `options: ${known.join(', ')}`);
        if (index !== (raw.customize as unknown[]).length - 1) throw problem(file, where, 'the deprovision step must be the last step (AIB runs the override at the very end; nothing may change it afterwards)');
        if (delivery === 'download') throw problem(file, `${where}.delivery`, 'the override is delivered by "uri" or "inline"');
        steps.push({ ...base, kind, options, delivery });
        break;
      }
    }
  }
  return {
    dir,
    file,
    template,
    templateName: raw.templateName === undefined ? undefined : (str(file, 'templateName', raw.templateName) as string),
    output: rel(str(file, 'output', raw.output) as string),
    artifacts: rel(str(file, 'artifacts', raw.artifacts) as string),
    baseUri: baseUri.endsWith('/') ? baseUri : `${baseUri}/`,
    os: os as Project['os'],
    vars: (raw.vars as Record<string, unknown>) ?? {},
    varsFiles: (varsFiles as string[]).map(rel),
    partials,
    contentAddressed: (raw.contentAddressed as boolean | undefined) ?? true,
    steps,
  };
}

export { safeName };
