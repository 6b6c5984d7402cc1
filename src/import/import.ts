import { closeSync, openSync, writeSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { getNodePath, getNodeValue, modify, applyEdits, type Node } from 'jsonc-parser';
import { hashFile } from '../checksum/index.js';
import { customizerTypeOf } from '../customizers/index.js';
import { deprovisionScript } from '../deprovision/index.js';
import { AibgenError, InputError, ProjectError, UsageError, describeFsError } from '../errors.js';
import { fetchAndHash, parseMapping, resolveUri, type FetchOptions, type UriMapping } from '../fill/index.js';
import { findImageTemplates, inferOs, parseJsonDocument, readTemplateText, valueNode, type ImageTemplateRef, type JsonDocument } from '../template/index.js';
import { packageFile, templatesDir } from '../util/package-paths.js';
import { sweepDeadTempDirs } from '../util/leftovers.js';
import { baseNameOf, NameBook, safeFileName, withExtension } from './names.js';
import type { Os } from '../util/os.js';

/**
 * `aibgen import`: an existing image template becomes an aibgen project. Every fetched step's file
 * is downloaded (or read through --map, as fill maps) and stored as a project source, its checksum
 * proven; the steps become aibgen.json steps in the original order with the same meaning; what
 * cannot be converted stays a template step, with the reason. template.json is the original with
 * the converted steps taken out, every other byte kept. All or nothing: written to a staging
 * folder, then renamed into place. Nothing downloaded is ever run.
 */

export interface ImportOptions {
  /** Where the artifacts will be served from (aibgen.json's baseUri). */
  baseUri: string;
  /** `<uriPrefix>=<dir>`: URIs under the prefix are read from the folder instead of downloaded. */
  maps?: readonly (string | UriMapping)[];
  os?: Os;
  /** Which image template, when the file holds several (its name). */
  resource?: string;
  /** Take the bytes as served when a step's checksum does not match them (else an error). */
  acceptCurrent?: boolean;
  /** Keep steps whose file cannot be fetched as template steps (else an error). */
  keepUnreachable?: boolean;
  fetch?: FetchOptions;
}

export type ImportAction = 'script' | 'file' | 'inline' | 'restart' | 'windowsUpdate' | 'deprovision' | 'kept';

export interface ImportedStep {
  list: 'customize' | 'inVMValidations';
  index: number;
  /** The step's name in the template (undefined when it had none). */
  name: string | undefined;
  type: string | undefined;
  action: ImportAction;
  /** The project source written for it, relative to the project folder. */
  file?: string;
  uri?: string;
  /** Why a step stayed in the template. */
  reason?: string;
  /** What else to know (a mutable URL now pinned by content, a name given, a checksum taken as served). */
  notes: string[];
}

export interface ImportReport {
  dir: string;
  template: string;
  os: Os;
  steps: ImportedStep[];
  /** Every file written, relative to the project folder. */
  files: string[];
  /** The commands to run next. */
  next: string[];
}

type Json = Record<string, unknown>;
type ProjectStep = Json;

const SCRIPT_KEYS = new Set(['type', 'name', 'scriptUri', 'sha256Checksum', 'inline', 'runElevated', 'runAsSystem', 'validExitCodes']);
const FILE_KEYS = new Set(['type', 'name', 'sourceUri', 'sha256Checksum', 'destination']);
const RESTART_KEYS = ['restartCommand', 'restartCheckCommand', 'restartTimeout'] as const;
const UPDATE_KEYS = ['searchCriteria', 'filters', 'updateLimit'] as const;
const OVERRIDE = /\/tmp\/DeprovisioningScript\.sh|c:[\\/]+DeprovisioningScript\.ps1/i;

const isExpression = (value: string) => /^\s*\[(?!\[)[\s\S]*\]\s*$/.test(value) || /<[^<>]+>/.test(value);
const MUTABLE = /\/(main|master|latest|head|HEAD|develop|trunk)\/|refs\/heads\/|\/releases\/latest\//;

function chooseTemplate(doc: JsonDocument, resource: string | undefined): ImageTemplateRef {
  const templates = findImageTemplates(doc);
  if (templates.length === 0)
    throw new InputError(`${doc.file}: holds no image template (a bare body with properties, or a Microsoft.VirtualMachineImages/imageTemplates resource)`);
  if (resource) {
    const found = templates.find((t) => t.name === resource);
    if (!found)
      throw new UsageError(`--resource ${resource}: no image template of that name in ${doc.file} (found: ${templates.map((t) => t.name).join(', ')})`);
    return found;
  }
  if (templates.length > 1)
    throw new UsageError(
      `${doc.file} holds ${templates.length} image templates (${templates.map((t) => t.name).join(', ')}); choose one with --resource <name>`,
    );
  return templates[0] as ImageTemplateRef;
}

/** The presets aibgen deprovision renders, by SHA-256: an override that is exactly one of them becomes a deprovision step. */
async function presets(os: Os): Promise<Map<string, Json>> {
  const out = new Map<string, Json>();
  const variants: Json[] =
    os === 'linux' ? [{}, { keepUser: true }, { cloudInitClean: true }, { keepUser: true, cloudInitClean: true }] : [{}, { modeVm: true }];
  for (const options of variants) {
    const script = await deprovisionScript({ os, ...options });
    out.set(script.sha256, options);
  }
  return out;
}

interface Fetched {
  sha256: string;
  path: string;
}

/** Steps convert one at a time through this: it fetches files into the staging folder, names them, and remembers failures. */
class Importer {
  readonly steps: ImportedStep[] = [];
  readonly errors: string[] = [];
  readonly files: string[] = [];
  private readonly scripts = new NameBook();
  private readonly others = new NameBook();
  private readonly byUri = new Map<string, { file: string; sha256: string }>();
  private presetHashes: Map<string, Json> | undefined;

  constructor(
    private readonly staging: string,
    private readonly options: ImportOptions,
    private readonly mappings: readonly UriMapping[],
    readonly os: Os,
  ) {}

  /** The bytes behind a URI, written under the staging folder; the same URI is fetched once. */
  private async fetchInto(
    uri: string,
    folder: 'scripts' | 'files',
    extension: string | undefined,
  ): Promise<{ file: string; sha256: string } | { error: string }> {
    const known = this.byUri.get(`${folder}\u0000${uri}`);
    if (known) return known;
    const book = folder === 'scripts' ? this.scripts : this.others;
    const name = book.claim(withExtension(safeFileName(baseNameOf(uri), folder === 'scripts' ? 'script' : 'file'), extension));
    const file = `${folder}/${name}`;
    const target = join(this.staging, file);
    await mkdir(dirname(target), { recursive: true });
    let fetched: Fetched;
    try {
      const resolution = resolveUri(uri, this.mappings);
      if (resolution.status === 'local') {
        await copyFile(resolution.path, target);
        fetched = { sha256: (await hashFile(target)).sha256, path: target };
      } else if (resolution.status === 'refused') {
        return { error: resolution.reason };
      } else if (/^https?:\/\//i.test(uri)) {
        const fd = openSync(target, 'w');
        try {
          const digest = await fetchAndHash(uri, { ...this.options.fetch, onChunk: (chunk) => void writeSync(fd, chunk) });
          fetched = { sha256: digest.sha256, path: target };
        } finally {
          closeSync(fd);
        }
      } else return { error: 'not an http(s) URL, and no --map prefix matches it' };
    } catch (error) {
      await rm(target, { force: true });
      return { error: error instanceof AibgenError ? error.message : describeFsError(error) };
    }
    const entry = { file, sha256: fetched.sha256 };
    this.byUri.set(`${folder}\u0000${uri}`, entry);
    this.files.push(file);
    return entry;
  }

  private keep(base: Omit<ImportedStep, 'action' | 'notes'>, reason: string, notes: string[] = []): undefined {
    this.steps.push({ ...base, action: 'kept', reason, notes });
    return undefined;
  }

  /** The file behind a step's URI, its checksum proven; undefined (and the step kept or an error noted) when it cannot be. */
  private async source(
    base: Omit<ImportedStep, 'action' | 'notes'>,
    value: Json,
    key: 'scriptUri' | 'sourceUri',
    folder: 'scripts' | 'files',
    extension: string | undefined,
    notes: string[],
  ): Promise<{ file: string; sha256: string } | undefined> {
    const uri = value[key] as string;
    if (isExpression(uri))
      return this.keep(base, `its ${key} is built from an ARM expression or is a placeholder (${uri.slice(0, 80)}); aibgen cannot fetch it`);
    const fetched = await this.fetchInto(uri, folder, extension);
    if ('error' in fetched) {
      if (this.options.keepUnreachable) return this.keep(base, `its ${key} cannot be fetched (${fetched.error}); kept under --keep-unreachable`);
      this.errors.push(`${base.list}[${base.index}]${base.name ? ` "${base.name}"` : ''}: ${uri} cannot be fetched: ${fetched.error}`);
      return undefined;
    }
    const checksum = value.sha256Checksum;
    if (typeof checksum === 'string' && /^[0-9a-fA-F]{64}$/.test(checksum) && checksum.toLowerCase() !== fetched.sha256) {
      if (!this.options.acceptCurrent) {
        this.errors.push(
          `${base.list}[${base.index}]${base.name ? ` "${base.name}"` : ''}: ${uri} is served with SHA-256 ${fetched.sha256}, but the template says ${checksum}: the template is already broken (pass --accept-current to take the bytes as served)`,
        );
        return undefined;
      }
      notes.push(`its checksum ${checksum} did not match; the bytes as served were taken (--accept-current)`);
    }
    if (MUTABLE.test(uri)) notes.push(`${uri} can change under the same URL; the imported copy is pinned by its content now`);
    return fetched;
  }

  /** Converts one step: the project step that makes the same customizer, or undefined when it stays in the template. */
  async convert(list: ImportedStep['list'], index: number, node: Node): Promise<ProjectStep | undefined> {
    const value = getNodeValue(node) as unknown;
    const raw = value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
    const name = typeof raw?.name === 'string' ? raw.name : undefined;
    const rawType = typeof raw?.type === 'string' ? raw.type : undefined;
    const base = { list, index, name, type: rawType };
    if (!raw) return this.keep(base, 'it is not an object (an expression?)');
    const type = customizerTypeOf(rawType);
    if (!type) return this.keep(base, `its type ${rawType === undefined ? 'is missing' : `"${rawType}" is not one aibgen builds`}`);
    if (rawType !== type) return this.keep(base, `its type is written "${rawType}"; aibgen writes "${type}"`);
    const notes: string[] = [];
    const named = name ? { name } : {};
    const extra = (allowed: ReadonlySet<string> | readonly string[]) =>
      Object.keys(raw).filter((k) => !(allowed instanceof Set ? allowed.has(k) : (allowed as readonly string[]).includes(k)));
    const destination = typeof raw.destination === 'string' ? raw.destination : '';
    const inlineText = Array.isArray(raw.inline) ? raw.inline.join('\n') : '';
    if (OVERRIDE.test(destination) || OVERRIDE.test(inlineText)) {
      if (type === 'File' && typeof raw.sourceUri === 'string' && !isExpression(raw.sourceUri)) {
        const resolution = resolveUri(raw.sourceUri, this.mappings);
        const digest =
          resolution.status === 'local'
            ? await hashFile(resolution.path).catch(() => undefined)
            : /^https?:/i.test(raw.sourceUri)
              ? await fetchAndHash(raw.sourceUri, this.options.fetch).catch(() => undefined)
              : undefined;
        this.presetHashes ??= await presets(this.os);
        const preset = digest ? this.presetHashes.get(digest.sha256) : undefined;
        if (preset) {
          this.steps.push({ ...base, action: 'deprovision', uri: raw.sourceUri, notes: ['it is exactly an aibgen deprovision preset; build renders it'] });
          return { ...named, deprovision: preset };
        }
      }
      return this.keep(base, "it writes or changes the deprovisioning script; kept as it is (only aibgen's own presets convert)");
    }
    if (type === 'Shell' || type === 'PowerShell') {
      if ((type === 'Shell') !== (this.os === 'linux')) return this.keep(base, `a ${type} step in a ${this.os} template; kept as it is`);
      const unknown = extra(SCRIPT_KEYS);
      if (unknown.length > 0) return this.keep(base, `it has properties aibgen does not carry: ${unknown.join(', ')}`);
      const flags: Json = {};
      for (const key of ['runElevated', 'runAsSystem', 'validExitCodes'] as const) if (raw[key] !== undefined) flags[key] = raw[key];
      if (type === 'Shell' && Object.keys(flags).length > 0) return this.keep(base, `Shell steps take no ${Object.keys(flags).join(', ')}`);
      if (typeof raw.scriptUri === 'string' && raw.inline === undefined) {
        const fetched = await this.source(base, raw, 'scriptUri', 'scripts', type === 'Shell' ? '.sh' : '.ps1', notes);
        if (!fetched) return undefined;
        if (type === 'Shell' && (await readFile(join(this.staging, fetched.file))).includes('\r\n'))
          return this.keep(
            base,
            'its script has CRLF line endings, which aibgen build refuses for shell scripts (they fail on the VM); convert it to LF and import again',
            notes,
          );
        this.steps.push({ ...base, action: 'script', file: fetched.file, uri: raw.scriptUri, notes });
        return { ...named, script: fetched.file, ...flags };
      }
      if (Array.isArray(raw.inline) && raw.inline.every((c) => typeof c === 'string') && raw.scriptUri === undefined && raw.inline.length > 0) {
        this.steps.push({ ...base, action: 'inline', notes });
        return { ...named, inline: raw.inline, ...flags };
      }
      return this.keep(base, 'it needs exactly one of scriptUri and a non-empty inline list of strings');
    }
    if (type === 'File') {
      const unknown = extra(FILE_KEYS);
      if (unknown.length > 0) return this.keep(base, `it has properties aibgen does not carry: ${unknown.join(', ')}`);
      if (typeof raw.sourceUri !== 'string' || !destination) return this.keep(base, 'it needs a sourceUri and a destination');
      if (isExpression(destination)) return this.keep(base, 'its destination is an expression or a placeholder');
      const fetched = await this.source(base, raw, 'sourceUri', 'files', undefined, notes);
      if (!fetched) return undefined;
      this.steps.push({ ...base, action: 'file', file: fetched.file, uri: raw.sourceUri, notes });
      return { ...named, file: fetched.file, destination };
    }
    if (this.os !== 'windows') return this.keep(base, `a ${type} step in a Linux template; kept as it is`);
    const keys = type === 'WindowsRestart' ? RESTART_KEYS : UPDATE_KEYS;
    const unknown = extra(['type', 'name', ...keys]);
    if (unknown.length > 0) return this.keep(base, `it has properties aibgen does not carry: ${unknown.join(', ')}`);
    const settings: Json = {};
    for (const key of keys) if (raw[key] !== undefined) settings[key] = raw[key];
    if (Object.values(settings).some((v) => typeof v === 'string' && isExpression(v))) return this.keep(base, 'a setting is an ARM expression');
    this.steps.push({ ...base, action: type === 'WindowsRestart' ? 'restart' : 'windowsUpdate', notes });
    return type === 'WindowsRestart' ? { ...named, restart: settings } : { ...named, windowsUpdate: settings };
  }
}

/** The default project folder: the template file's name without its extension. */
export function defaultImportDir(template: string): string {
  return basename(template).replace(/\.(jsonc?|json5)$/i, '') || 'image';
}

export async function importTemplate(template: string, dir: string | undefined, options: ImportOptions): Promise<ImportReport> {
  let base: URL;
  try {
    base = new URL(options.baseUri);
  } catch {
    throw new UsageError(
      `--base-uri ${options.baseUri} is not a URL; give where the artifacts will be served from, e.g. https://<account>.blob.core.windows.net/<container>/<folder>/`,
    );
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new UsageError(`--base-uri must be http(s), got ${base.protocol}`);
  const target = resolve(dir ?? defaultImportDir(template));
  const existing = await readdir(target).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
  if (existing && existing.length > 0)
    throw new UsageError(`${dir ?? target} exists and is not empty; import writes a new project folder (give another, or empty it)`);

  const text = await readTemplateText(template);
  const doc = parseJsonDocument(template, text);
  const ref = chooseTemplate(doc, options.resource);
  const os = options.os ?? inferOs(ref);
  if (!os) throw new UsageError(`${template}: the source does not tell the OS; pass --os linux or --os windows`);
  const props = ref.properties;
  if (!props || props.type !== 'object') throw new InputError(`${template}: the image template's properties are not a literal object; nothing to import`);
  const mappings = (options.maps ?? []).map((m) => (typeof m === 'string' ? parseMapping(m) : m));

  await sweepDeadTempDirs('.aibgen-import-');
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), `.aibgen-import-${process.pid}-`));
  try {
    const importer = new Importer(staging, options, mappings, os);
    let templateText = text.replace(/^\uFEFF/, '');
    const removals: (string | number)[][] = [];
    const namings: { path: (string | number)[]; name: string }[] = [];
    const lists: { key: 'customize' | 'inVMValidations'; project: ProjectStep[] }[] = [];
    for (const [list, container] of [
      ['customize', props],
      ['inVMValidations', valueNode(props, 'validate')],
    ] as const) {
      const node = valueNode(container, list);
      if (!node) continue;
      if (node.type !== 'array') {
        importer.steps.push({
          list,
          index: 0,
          name: undefined,
          type: undefined,
          action: 'kept',
          reason: `${list} is an expression, not a list; its steps stay in the template`,
          notes: [],
        });
        continue;
      }
      const project: ProjectStep[] = [];
      // Steps kept in the template run first unless placed: the leading run of kept steps needs no placing; later ones are placed by name.
      let converted = false;
      for (const [index, child] of (node.children ?? []).entries()) {
        const step = await importer.convert(list, index, child);
        if (step) {
          project.push(step);
          removals.push(getNodePath(child));
          converted = true;
          continue;
        }
        const record = importer.steps.at(-1);
        if (!record || record.action !== 'kept' || !converted) continue;
        let name = record.name;
        if (!name) {
          name = `${(record.type ?? 'step').toLowerCase()}-${index + 1}`;
          namings.push({ path: [...getNodePath(child), 'name'], name });
          record.notes.push(`named "${name}" in the template, so aibgen.json can place it where it was`);
        }
        project.push({ existing: name });
      }
      lists.push({ key: list, project });
    }
    if (importer.errors.length > 0)
      throw new ProjectError(`${template}: ${importer.errors.length} step(s) cannot be imported; nothing was written`, [
        ...importer.errors,
        'fix the template or the URL, map the URL to a local copy with --map, or keep such steps in the template with --keep-unreachable / --accept-current',
      ]);

    // The template with the converted steps taken out (last first, so paths stay right), kept steps named where needed.
    const formatting = { formattingOptions: { insertSpaces: !/^\t/m.test(templateText), tabSize: 2, eol: templateText.includes('\r\n') ? '\r\n' : '\n' } };
    for (const naming of namings) templateText = applyEdits(templateText, modify(templateText, naming.path, naming.name, formatting));
    for (const path of removals.reverse()) templateText = applyEdits(templateText, modify(templateText, path, undefined, formatting));
    await writeFile(join(staging, 'template.json'), (doc.bom ? '\uFEFF' : '') + templateText);

    const customize = lists.find((l) => l.key === 'customize')?.project ?? [];
    const validations = lists.find((l) => l.key === 'inVMValidations')?.project;
    const projectFile: Json = {
      $schema: './aibgen.schema.json',
      template: 'template.json',
      ...(findImageTemplates(doc).length > 1 ? { templateName: ref.name } : {}),
      output: 'dist/template.json',
      artifacts: 'dist/artifacts',
      baseUri: options.baseUri,
      os,
      customize,
      ...(validations && validations.length > 0 ? { validate: { inVMValidations: validations } } : {}),
    };
    await writeFile(join(staging, 'aibgen.json'), `${JSON.stringify(projectFile, null, 2)}\n`);
    await copyFile(packageFile('schema', 'aibgen.schema.json'), join(staging, 'aibgen.schema.json'));
    await copyFile(join(templatesDir(), 'init', os, 'gitignore'), join(staging, '.gitignore'));
    await copyFile(join(templatesDir(), 'init', os, 'gitattributes'), join(staging, '.gitattributes'));

    // All or nothing: the staging folder becomes the project folder.
    if (existing) await rmdir(target);
    await rename(staging, target);
    const shownDir = dir ?? defaultImportDir(template);
    return {
      dir: target,
      template,
      os,
      steps: importer.steps,
      files: ['aibgen.json', 'template.json', 'aibgen.schema.json', '.gitignore', '.gitattributes', ...importer.files.sort()],
      next: [`aibgen build ${shownDir}`, `aibgen lint ${shownDir}`, `aibgen publish ${shownDir}`],
    };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
