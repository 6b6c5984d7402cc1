import { copyFile, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { AibgenError, CheckFailedError, InputError, describeFsError } from '../errors.js';
import type { CustomizerEntry } from '../customizers/index.js';
import { loadVariables } from '../render/index.js';
import { findImageTemplates, parseJsonDocument, type ImageTemplateRef } from '../template/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { mapLimit } from '../util/concurrency.js';
import { inferOs, validateDocument, type Finding } from '../validate/index.js';
import { composeCustomize, type Slot } from './compose.js';
import { lineDiff } from './diff.js';
import { loadProject, type Project, type Step } from './project.js';
import { produceStep, type Artifact, type ArtifactKind, type StepOutput } from './steps.js';

export interface BuildOptions {
  /** Build in a scratch folder and compare with what is on disk; write nothing. */
  check?: boolean;
  /** Called as each step finishes (for progress output). */
  onStep?: (event: { name: string; kind: Step['kind']; ms: number }) => void;
  /** Steps produced at once (default 4). */
  concurrency?: number;
}

export interface ArtifactRecord {
  name: string;
  /** Path relative to the project folder, forward slashes. */
  file: string;
  uri: string;
  sha256: string;
  size: number;
  kind: ArtifactKind;
}

export interface StepSummary {
  name: string;
  kind: Step['kind'];
  artifact: string | null;
  size: number | null;
  sha256: string | null;
  ms: number;
}

export interface BuildResult {
  project: Project;
  os: 'linux' | 'windows';
  steps: StepSummary[];
  artifacts: ArtifactRecord[];
  /** Validation warnings on the built template (errors fail the build). */
  warnings: Finding[];
  outputs: { template: string; customize: string; artifactsJson: string };
  /** --check: what is stale (empty when everything on disk is current). */
  stale: { path: string; reason: string; diff: string[] }[];
}

function chooseTemplate(project: Project, templates: ImageTemplateRef[]): ImageTemplateRef {
  const where = `${basename(project.file)}: template`;
  if (templates.length === 0) throw new AibgenError('E_PROJECT', `${where}: ${project.template} holds no image template`);
  if (project.templateName) {
    const named = templates.find((t) => t.name === project.templateName);
    if (!named) throw new AibgenError('E_PROJECT', `${basename(project.file)}: templateName: no image template named "${project.templateName}" (found: ${templates.map((t) => t.name).join(', ')})`);
    return named;
  }
  if (templates.length > 1) throw new AibgenError('E_PROJECT', `${where}: ${project.template} holds ${templates.length} image templates (${templates.map((t) => t.name).join(', ')}); say which with "templateName"`);
  return templates[0] as ImageTemplateRef;
}

function slash(path: string): string {
  return path.split('\\').join('/');
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/** Copies a staged artifact into place atomically (temporary file in the target folder, then rename). */
async function install(staged: string, target: string): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.aibgen-${process.pid}.tmp`);
  try {
    await copyFile(staged, temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw new AibgenError('E_IO', `cannot write ${target}: ${describeFsError(error)}`, { cause: error });
  }
}

/**
 * Builds a project: renders and bundles every step into content-addressed artifacts, puts the
 * generated customizers into the template (only its customize array changes), validates the
 * result, then writes artifacts, artifacts.json, customize.json and the template. With `check`,
 * compares instead of writing.
 */
export async function build(dir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const project = await loadProject(dir);
  let templateText: string;
  try {
    templateText = await readFile(project.template, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${project.template}: ${describeFsError(error)}`);
  }
  const doc = parseJsonDocument(slash(relative(process.cwd(), project.template)) || project.template, templateText);
  const template = chooseTemplate(project, findImageTemplates(doc));
  const os = project.os ?? inferOs(template);
  if (!os) throw new AibgenError('E_PROJECT', `${basename(project.file)}: os: the template's source does not tell the OS; set "os": "linux" or "windows"`);
  const vars = await loadVariables({ varsFiles: project.varsFiles, vars: project.vars });

  const staging = await mkdtemp(join(tmpdir(), 'aibgen-build-'));
  try {
    const outputs: StepOutput[] = await mapLimit(project.steps, options.concurrency ?? 4, async (step) => {
      const out = await produceStep({ project, os, vars, staging }, step);
      options.onStep?.({ name: step.name, kind: step.kind, ms: out.ms });
      return out;
    });
    const slots: Slot[] = outputs.map((o) => (o.step.kind === 'existing' ? { existing: o.step.existing, where: o.step.where } : { customizers: o.customizers }));
    const composed = composeCustomize(doc, template, slots, basename(project.file));

    const outputDisplay = slash(relative(process.cwd(), project.output)) || project.output;
    const validation = validateDocument(parseJsonDocument(outputDisplay, composed.text), { os });
    const errors = validation.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      throw new CheckFailedError(`the built template has ${errors.length} validation error(s); nothing was written`, errors.map((f) => `${f.file}:${f.line}:${f.column}  ${f.rule} ${f.ruleName}  ${f.message}`));
    }

    const artifacts: ArtifactRecord[] = [];
    const staged: { artifact: Artifact; target: string }[] = [];
    for (const output of outputs) {
      if (!output.artifact) continue;
      const target = join(project.artifacts, output.artifact.file);
      staged.push({ artifact: output.artifact, target });
      artifacts.push({ name: output.artifact.step, file: slash(relative(project.dir, target)), uri: output.artifact.uri, sha256: output.artifact.sha256, size: output.artifact.size, kind: output.artifact.kind });
    }
    const artifactsJson = `${JSON.stringify(artifacts, null, 2)}\n`;
    const customizeJson = `${JSON.stringify(composed.customize as CustomizerEntry[], null, 2)}\n`;
    const paths = { template: project.output, customize: join(dirname(project.output), 'customize.json'), artifactsJson: join(dirname(project.output), 'artifacts.json') };
    const files: [string, string][] = [
      [paths.artifactsJson, artifactsJson],
      [paths.customize, customizeJson],
      [paths.template, composed.text],
    ];

    const stale: BuildResult['stale'] = [];
    if (options.check) {
      for (const { artifact, target } of staged) {
        const onDisk = await readIfExists(target);
        if (!onDisk) stale.push({ path: target, reason: 'missing', diff: [] });
        else if (!onDisk.equals(await readFile(artifact.staged))) stale.push({ path: target, reason: 'different content', diff: [] });
      }
      for (const [path, text] of files) {
        const onDisk = await readIfExists(path);
        if (!onDisk) stale.push({ path, reason: 'missing', diff: [] });
        else if (onDisk.toString('utf8') !== text) stale.push({ path, reason: 'out of date', diff: lineDiff(onDisk.toString('utf8'), text) });
      }
    } else {
      await mkdir(project.artifacts, { recursive: true });
      for (const { artifact, target } of staged) {
        const onDisk = await readIfExists(target);
        if (onDisk && onDisk.equals(await readFile(artifact.staged))) continue;
        await install(artifact.staged, target);
      }
      // The template last: it is what points at everything else.
      for (const [path, text] of files) await writeFileAtomic(path, text);
    }

    const steps: StepSummary[] = outputs.map((o) => ({
      name: o.step.name,
      kind: o.step.kind,
      artifact: o.artifact ? slash(relative(project.dir, join(project.artifacts, o.artifact.file))) : null,
      size: o.artifact?.size ?? null,
      sha256: o.artifact?.sha256 ?? null,
      ms: Math.round(o.ms),
    }));
    return { project, os, steps, artifacts, warnings: validation.findings.filter((f) => f.severity === 'warning'), outputs: paths, stale };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
