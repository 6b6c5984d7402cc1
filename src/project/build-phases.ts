import { createRequire } from 'node:module';
import { lstat, readFile, readdir, unlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { hashFile } from '../checksum/index.js';
import { HashMemo } from '../checksum/hash-memo.js';
import { CheckFailedError, ProjectError } from '../errors.js';
import type { Finding } from '../findings/index.js';
import { loadVariables, type Variables } from '../render/index.js';
import { findImageTemplates, inferOs, parseJsonDocument, readTemplateText, type ImageTemplateRef, type JsonDocument } from '../template/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { mapLimit } from '../util/concurrency.js';
import type { Os } from '../util/os.js';
import { sasTokenOf } from '../util/redact.js';
import { formatArtifactsFile, readPreviousRecords, type ArtifactRecord } from './artifacts-file.js';
import type { BuildOptions, BuildResult, Notice, StepSummary } from './build-types.js';
import type { BicepInputs } from './bicep-template.js';
import { checkBuilt, locateInJson } from './checks.js';
import { compose, type Composed, type ComposedEntry, type Slot } from './compose.js';
import { produceStep, recordKey, type ProduceContext, type StepOutput } from './produce.js';
import { loadProject, type Project, type Step, type StepList } from './project.js';
import { schemaCopyOf } from './schema-copy.js';
import { installFile, interruptedBuild, LOCK_FILE } from './workspace.js';

/**
 * The phases of a build, in the order build() runs them: read the inputs, produce every step, compose
 * the template, check the result, then either compare it with what is on disk (--check) or install it.
 * Each takes plain values and returns what the next one needs.
 */

export function aibgenVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

export function slash(path: string): string {
  return path.split('\\').join('/');
}

export function display(path: string): string {
  return slash(relative(process.cwd(), path)) || path;
}

function chooseTemplate(project: Project, doc: JsonDocument): ImageTemplateRef {
  const templates = findImageTemplates(doc);
  const where = `${project.template.given}`;
  if (templates.length === 0)
    throw new ProjectError(`${where}: holds no image template (a bare body with properties, or a Microsoft.VirtualMachineImages/imageTemplates resource)`);
  if (project.templateName) {
    const named = templates.find((t) => t.name === project.templateName);
    if (!named)
      throw new ProjectError(
        `${project.file}: templateName: no image template named "${project.templateName}" in ${where} (found: ${templates.map((t) => t.name).join(', ')})`,
      );
    return named;
  }
  if (templates.length > 1)
    throw new ProjectError(
      `${where}: holds ${templates.length} image templates (${templates.map((t) => t.name).join(', ')}); say which with "templateName" in ${project.file}`,
    );
  return templates[0] as ImageTemplateRef;
}

export async function readPrevious(path: string): Promise<Map<string, ArtifactRecord>> {
  // No usable record: every step is built.
  return new Map((await readPreviousRecords(path)).map((r) => [recordKey(r.list, r.name), r]));
}

/** One summary row per project step, and one per template step, in the result's order. */
export function summarize(entries: readonly ComposedEntry[], list: StepList, outputs: ReadonlyMap<Step, StepOutput>, project: Project): StepSummary[] {
  const rows: StepSummary[] = [];
  let last: { step: Step | undefined; row: StepSummary } | undefined;
  for (const entry of entries) {
    const name = typeof entry.customizer.name === 'string' ? entry.customizer.name : `(${entry.customizer.type})`;
    if (entry.step && last?.step === entry.step) {
      last.row.customizers.push(name);
      continue;
    }
    const output = entry.step ? outputs.get(entry.step) : undefined;
    const artifact = output?.artifact;
    const row: StepSummary = {
      name: entry.step ? entry.step.name : name,
      kind: entry.step ? entry.step.kind : 'template',
      list,
      customizers: [name],
      artifact: artifact ? slash(relative(project.dir, join(project.artifacts.path, artifact.file))) : null,
      size: artifact?.size ?? null,
      sha256: artifact?.sha256 ?? null,
      reused: output?.reused ?? false,
      ms: Math.round(output?.ms ?? 0),
    };
    rows.push(row);
    last = { step: entry.step, row };
  }
  return rows;
}

export async function listArtifactsFolder(folder: string): Promise<string[]> {
  try {
    const names: string[] = [];
    for (const entry of await readdir(folder, { withFileTypes: true })) if (!entry.isDirectory()) names.push(entry.name);
    return names.sort();
  } catch {
    return [];
  }
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

export interface BuildInputs {
  project: Project;
  /** The input template as JSON (for a Bicep template: the compiler's evaluation of it). */
  doc: JsonDocument;
  template: ImageTemplateRef;
  os: Os;
  vars: Variables;
  /** Set when the template is a .bicep file: what build writes is that file with its step lists rewritten. */
  bicep?: BicepInputs;
}

/** Phase 1: the project file, the input template and its image template, the OS, the variables. */
export async function readInputs(dir: string): Promise<BuildInputs> {
  const project = await loadProject(dir);
  const templateText = await readTemplateText(project.template.path);
  let bicep: BicepInputs | undefined;
  let doc: JsonDocument;
  let template: ImageTemplateRef;
  if (/\.bicep$/i.test(project.template.path)) {
    // The compiler's client loads only for Bicep templates.
    const { readBicepInputs } = await import('./bicep-template.js');
    ({ bicep, doc, template } = await readBicepInputs(project, templateText));
  } else {
    doc = parseJsonDocument(display(project.template.path), templateText);
    template = chooseTemplate(project, doc);
  }
  try {
    const os = project.os ?? inferOs(template);
    if (!os) throw new ProjectError(`${project.file}: os: the template's source does not tell the OS; set "os": "linux" or "windows"`);
    const vars = await loadVariables({ varsFiles: project.varsFiles.map((v) => v.path), vars: project.vars });
    return { project, doc, template, os, vars, bicep };
  } catch (error) {
    bicep?.session.dispose();
    throw error;
  }
}

/** Phase 2: every step rendered, bundled or copied into staging, or reused when its inputs are unchanged. */
export async function produceSteps(ctx: ProduceContext, options: BuildOptions): Promise<StepOutput[]> {
  const allSteps = [...ctx.project.steps, ...(ctx.project.validation?.steps ?? [])];
  const artifactHashes = new HashMemo(ctx.project.artifacts.path);
  const outputs = await mapLimit(allSteps, options.concurrency ?? 4, async (step) => {
    const out = await produceStep({ ...ctx, artifactHashes }, step);
    options.onStep?.({ name: step.name, kind: step.kind, ms: out.ms, reused: out.reused });
    return out;
  });
  await artifactHashes.save();
  return outputs;
}

/** Phase 3: the generated steps put into the template's lists (nothing else in it changes). */
export async function composeTemplate(inputs: BuildInputs, produced: readonly StepOutput[]): Promise<Composed> {
  const { project, bicep } = inputs;
  const outputs = new Map(produced.map((o) => [o.step, o]));
  const slots = (steps: readonly Step[]): Slot[] => steps.map((step) => ({ step, customizers: (outputs.get(step) as StepOutput).customizers }));
  const flags = {
    continueDistributeOnFailure: project.validation?.continueDistributeOnFailure,
    sourceValidationOnly: project.validation?.sourceValidationOnly,
  };
  const bicepTemplate = bicep ? await import('./bicep-template.js') : undefined;
  const composed = compose({
    doc: inputs.doc,
    template: inputs.template,
    templateSteps: project.templateSteps,
    customize: slots(project.steps),
    validation: project.validation
      ? {
          slots: slots(project.validation.steps),
          continueDistributeOnFailure: project.validation.continueDistributeOnFailure,
          sourceValidationOnly: project.validation.sourceValidationOnly,
        }
      : undefined,
    ownLocation: bicep && bicepTemplate ? bicepTemplate.ownLocation(bicep, project.template.path) : undefined,
  });
  // A Bicep template: the same lists, written into the .bicep's literals.
  return bicep && bicepTemplate ? { ...composed, text: bicepTemplate.composeBicep(bicep, composed, flags) } : composed;
}

/** Phase 4: validate and lint the result; errors stop the build before anything is written. Returns the warnings and notes. */
export async function checkResult(
  inputs: BuildInputs,
  composed: Composed,
  produced: readonly StepOutput[],
  options: { lint: boolean; staging: string },
): Promise<{ findings: Finding[]; notes: string[] }> {
  const result = inputs.bicep
    ? await (await import('./bicep-template.js')).evaluateResult(inputs.bicep, inputs.project, composed.text)
    : {
        builtDoc: parseJsonDocument(display(inputs.project.output.path), composed.text),
        templatePointer: inputs.template.pointer,
        locateOwn: locateInJson(inputs.doc),
        compilerFindings: [],
      };
  const checked = await checkBuilt({
    project: inputs.project,
    os: inputs.os,
    ...result,
    composed,
    produced,
    lint: options.lint,
    staging: options.staging,
  });
  checked.findings.unshift(...result.compilerFindings);
  const compilerErrors = result.compilerFindings.filter((f) => f.severity === 'error').length;
  const errors = checked.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    const what = [
      compilerErrors ? `${compilerErrors} Bicep compiler error(s)` : '',
      checked.validationErrors ? `${checked.validationErrors} validation error(s)` : '',
      checked.lintErrors ? `${checked.lintErrors} script error(s)` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    throw new CheckFailedError(
      `the built template would have ${what}; nothing was written`,
      errors.map((f) => `${f.file}:${f.line}:${f.column}  ${f.rule} ${f.ruleName}  ${f.message}`),
    );
  }
  return { findings: checked.findings, notes: checked.notes };
}

/** artifacts.json's records of what was produced. */
export function artifactRecords(project: Project, produced: readonly StepOutput[]): ArtifactRecord[] {
  const artifacts: ArtifactRecord[] = [];
  for (const output of produced) {
    const a = output.artifact;
    if (!a) continue;
    artifacts.push({
      name: output.step.name,
      list: output.step.list,
      file: slash(relative(project.dir, join(project.artifacts.path, a.file))),
      uri: a.uri,
      sha256: a.sha256,
      size: a.size,
      kind: a.kind,
      inputs: a.inputs,
    });
  }
  return artifacts;
}

/** The files a build writes besides the artifacts, in the order they are written: the template last, as it points at everything else. */
export async function outputFiles(project: Project, composed: Composed, artifacts: readonly ArtifactRecord[]): Promise<[string, string][]> {
  const files: [string, string][] = [
    [project.siblings.artifactsJson, formatArtifactsFile(artifacts)],
    [
      project.siblings.customize,
      `${JSON.stringify(
        composed.customize.map((e) => e.customizer),
        null,
        2,
      )}\n`,
    ],
  ];
  // The project's copy of aibgen.json's schema, kept current.
  const copy = await schemaCopyOf(project);
  if (copy) files.push([copy.path, copy.text]);
  files.push([project.output.path, composed.text]);
  return files;
}

/** A SAS token in baseUri ends up in every file written: say which, once. */
export function sasNotice(project: Project, files: readonly [string, string][], produced: readonly StepOutput[]): Notice | undefined {
  const sas = sasTokenOf(`${project.baseUri.base}x${project.baseUri.query}`);
  if (!sas) return undefined;
  const expiry = sas.expiry ? ` (se=${sas.expiry})` : ' (it names no expiry)';
  return {
    level: 'warning',
    message: `baseUri carries a SAS token; it is written into ${files.map(([p]) => display(p)).join(', ')}${produced.some((o) => o.step.kind === 'payload' && o.step.delivery === 'download') ? ' and the download commands in them' : ''}: anyone who can read these files can use it until it expires${expiry}. Prefer a managed identity with Storage Blob Data Reader on the container, and keep these files out of public repositories`,
  };
}

/** Phase 5 with --check: what on disk differs from what this build would write. */
export async function staleFiles(project: Project, produced: readonly StepOutput[], files: readonly [string, string][]): Promise<BuildResult['stale']> {
  const outputDir = dirname(project.output.path);
  const stale: BuildResult['stale'] = [];
  const interrupted = await interruptedBuild(outputDir);
  if (interrupted)
    stale.push({
      path: join(outputDir, LOCK_FILE),
      reason: `an interrupted build (pid ${interrupted.pid}) may have left ${display(outputDir)} half-updated`,
      diff: [],
    });
  // Archives store SOURCE_DATE_EPOCH's time when it is set: a stale archive is then most likely that.
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const epochHint = (kind: string) =>
    epoch !== undefined && kind === 'payload'
      ? ` (SOURCE_DATE_EPOCH=${epoch} is set here and sets the times archives store; a dist/ built without it, or with another value, has other bytes)`
      : '';
  for (const output of produced) {
    const a = output.artifact;
    if (!a?.staged) continue;
    const target = join(project.artifacts.path, a.file);
    const onDisk = await hashFile(target).catch(() => undefined);
    if (!onDisk) stale.push({ path: target, reason: `missing${epochHint(a.kind)}`, diff: [] });
    else if (onDisk.sha256 !== a.sha256) stale.push({ path: target, reason: `different content${epochHint(a.kind)}`, diff: [] });
  }
  for (const [path, text] of files) {
    const onDisk = await readIfExists(path);
    if (!onDisk) stale.push({ path, reason: 'missing', diff: [] });
    else if (onDisk.toString('utf8') !== text) {
      // The diff library is loaded only when there is something to show.
      const { unifiedDiff } = await import('./diff.js');
      stale.push({ path, reason: 'out of date', diff: unifiedDiff(display(path), onDisk.toString('utf8'), text) });
    }
  }
  return stale;
}

/** Whether `path` is a regular file (not a link to one) whose bytes are `text`. */
async function holds(path: string, text: string): Promise<boolean> {
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isFile() || info.size !== Buffer.byteLength(text)) return false;
  return (await readIfExists(path))?.toString('utf8') === text;
}

/** Phase 5 without --check: new artifacts moved into place, then the files, the template last; --prune after. */
export async function install(project: Project, produced: readonly StepOutput[], files: readonly [string, string][], prune: readonly string[]): Promise<void> {
  for (const output of produced) {
    const a = output.artifact;
    if (!a?.staged) continue;
    const target = join(project.artifacts.path, a.file);
    const onDisk = await hashFile(target).catch(() => undefined);
    if (onDisk?.sha256 === a.sha256) continue;
    await installFile(a.staged, target);
  }
  // A file that already holds these bytes is left alone: its modification time stays, so tools that watch it
  // (editors, make, the hash memo) see an unchanged build as unchanged.
  for (const [path, text] of files) if (!(await holds(path, text))) await writeFileAtomic(path, text);
  for (const name of prune) {
    const path = join(project.artifacts.path, name);
    if ((await lstat(path)).isFile()) await unlink(path);
  }
}
