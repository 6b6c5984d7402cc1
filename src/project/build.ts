import { createRequire } from 'node:module';
import { lstat, readFile, readdir, rm, unlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { hashFile } from '../checksum/index.js';
import { CheckFailedError, ProjectError } from '../errors.js';
import { loadVariables } from '../render/index.js';
import { findImageTemplates, inferOs, parseJsonDocument, readTemplateText, type ImageTemplateRef, type JsonDocument } from '../template/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { mapLimit } from '../util/concurrency.js';
import { redact, sasTokenOf } from '../util/redact.js';
import type { Finding } from '../findings/index.js';
import { checkBuilt } from './checks.js';
import { compose, type ComposedEntry, type Slot } from './compose.js';
import { formatArtifactsFile, readPreviousRecords, type ArtifactRecord } from './artifacts-file.js';
import { schemaCopyOf } from './schema-copy.js';
import { produceStep, recordKey, type StepOutput } from './produce.js';
import { loadProject, type Project, type Step, type StepKind, type StepList } from './project.js';
import { BuildLock, createStaging, installFile, interruptedBuild, LOCK_FILE, sweepLeftovers } from './workspace.js';
import type { Os } from '../util/os.js';

export type { ArtifactRecord } from './artifacts-file.js';

export interface BuildOptions {
  /** Compare with what is on disk instead of writing; unchanged steps are proven by hashes, not rebuilt. */
  check?: boolean;
  /** Remove files from the artifacts folder that artifacts.json no longer lists (never by default). */
  prune?: boolean;
  /** Called as each step finishes (for progress output). */
  onStep?: (event: { name: string; kind: StepKind; ms: number; reused: boolean }) => void;
  /** Steps produced at once (default 4). */
  concurrency?: number;
  /** Lint every script produced and every inline step of the result (default true); errors fail the build. */
  lint?: boolean;
}

export interface StepSummary {
  name: string;
  /** The project step's kind, or `template` for a step the template brought. */
  kind: StepKind | 'template';
  list: StepList;
  /** Names of the customizers this row put into the result, in order. */
  customizers: string[];
  artifact: string | null;
  size: number | null;
  sha256: string | null;
  /** The artifact on disk matched its inputs and was kept. */
  reused: boolean;
  ms: number;
}

export interface Notice {
  level: 'warning' | 'note';
  message: string;
}

export interface BuildResult {
  project: Project;
  os: Os;
  /** Every step of the result, the template's own included, in order (customize, then inVMValidations). */
  steps: StepSummary[];
  artifacts: ArtifactRecord[];
  /** Validation and lint warnings on the result, in the user's files (errors fail the build). */
  warnings: Finding[];
  /** Other things the user must know: tokens written into files, BOM-less scripts, leftovers removed. */
  notices: Notice[];
  outputs: { template: string; customize: string; artifactsJson: string };
  /** --check: what is stale (empty when everything on disk is current). */
  stale: { path: string; reason: string; diff: string[] }[];
  /** Files in the artifacts folder that artifacts.json does not list (removed with `prune`). */
  extraArtifacts: string[];
}

function aibgenVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

function slash(path: string): string {
  return path.split('\\').join('/');
}

function display(path: string): string {
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

async function readPrevious(path: string): Promise<Map<string, ArtifactRecord>> {
  // No usable record: every step is built.
  return new Map((await readPreviousRecords(path)).map((r) => [recordKey(r.list, r.name), r]));
}

/** One summary row per project step, and one per template step, in the result's order. */
function summarize(entries: readonly ComposedEntry[], list: StepList, outputs: ReadonlyMap<Step, StepOutput>, project: Project): StepSummary[] {
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

async function listArtifactsFolder(folder: string): Promise<string[]> {
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

/**
 * Builds a project: renders and bundles every step into content-addressed artifacts (reusing
 * those whose inputs did not change), puts the generated steps into the template (only its
 * customize and validate lists change), validates the result, then writes artifacts,
 * artifacts.json, customize.json and, last, the template. With `check`, compares instead.
 */
export async function build(dir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const project = await loadProject(dir);
  const templateText = await readTemplateText(project.template.path);
  const doc = parseJsonDocument(display(project.template.path), templateText);
  const template = chooseTemplate(project, doc);
  const os = project.os ?? inferOs(template);
  if (!os) throw new ProjectError(`${project.file}: os: the template's source does not tell the OS; set "os": "linux" or "windows"`);
  const vars = await loadVariables({ varsFiles: project.varsFiles.map((v) => v.path), vars: project.vars });
  const outputDir = dirname(project.output.path);
  const notices: Notice[] = [];

  const lock = options.check ? undefined : await BuildLock.acquire(outputDir);
  let staging: string | undefined;
  let installing = false;
  let wrote = false;
  try {
    if (lock) {
      if (lock.tookOver)
        notices.push({
          level: 'note',
          message: `an earlier build (pid ${lock.tookOver.pid}) was interrupted; everything it may have left half-done is rewritten`,
        });
      await sweepLeftovers([outputDir, project.artifacts.path]);
    }
    staging = await createStaging(outputDir, options.check ?? false);
    const previous = await readPrevious(project.siblings.artifactsJson);
    const ctx = {
      project,
      os,
      vars,
      staging,
      aibgenVersion: aibgenVersion(),
      previous,
      warn: (message: string) => notices.push({ level: 'warning' as const, message }),
    };
    const allSteps = [...project.steps, ...(project.validation?.steps ?? [])];
    const produced = await mapLimit(allSteps, options.concurrency ?? 4, async (step) => {
      const out = await produceStep(ctx, step);
      options.onStep?.({ name: step.name, kind: step.kind, ms: out.ms, reused: out.reused });
      return out;
    });
    const outputs = new Map(produced.map((o) => [o.step, o]));
    const slots = (steps: readonly Step[]): Slot[] => steps.map((step) => ({ step, customizers: (outputs.get(step) as StepOutput).customizers }));
    const composed = compose({
      doc,
      template,
      templateSteps: project.templateSteps,
      customize: slots(project.steps),
      validation: project.validation
        ? {
            slots: slots(project.validation.steps),
            continueDistributeOnFailure: project.validation.continueDistributeOnFailure,
            sourceValidationOnly: project.validation.sourceValidationOnly,
          }
        : undefined,
    });

    const checked = await checkBuilt({
      project,
      os,
      inputDoc: doc,
      template,
      composed,
      produced,
      lint: options.lint ?? true,
      outputDisplay: display(project.output.path),
      staging,
    });
    for (const note of checked.notes) notices.push({ level: 'note', message: note });
    const findings = checked.findings;
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      const what = [
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
      [project.output.path, composed.text],
    ];
    // The project's copy of aibgen.json's schema, kept current (before the template, which is written last).
    const schemaCopy = await schemaCopyOf(project);
    if (schemaCopy) files.splice(files.length - 1, 0, [schemaCopy.path, schemaCopy.text]);
    const sas = sasTokenOf(`${project.baseUri.base}x${project.baseUri.query}`);
    if (sas) {
      const expiry = sas.expiry ? ` (se=${sas.expiry})` : ' (it names no expiry)';
      notices.push({
        level: 'warning',
        message: `baseUri carries a SAS token; it is written into ${files.map(([p]) => display(p)).join(', ')}${produced.some((o) => o.step.kind === 'payload' && o.step.delivery === 'download') ? ' and the download commands in them' : ''}: anyone who can read these files can use it until it expires${expiry}. Prefer a managed identity with Storage Blob Data Reader on the container, and keep these files out of public repositories`,
      });
    }

    const listed = new Set(artifacts.map((a) => a.file.split('/').pop() as string));
    const extraArtifacts = (await listArtifactsFolder(project.artifacts.path)).filter((name) => !listed.has(name));
    const stale: BuildResult['stale'] = [];
    if (options.check) {
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
    } else {
      installing = true;
      wrote = true;
      await (lock as BuildLock).mark('installing');
      for (const output of produced) {
        const a = output.artifact;
        if (!a?.staged) continue;
        const target = join(project.artifacts.path, a.file);
        const onDisk = await hashFile(target).catch(() => undefined);
        if (onDisk?.sha256 === a.sha256) continue;
        await installFile(a.staged, target);
      }
      // The template last: it is what points at everything else.
      for (const [path, text] of files) await writeFileAtomic(path, text);
      if (options.prune) {
        for (const name of extraArtifacts) {
          const path = join(project.artifacts.path, name);
          if ((await lstat(path)).isFile()) await unlink(path);
        }
      }
      installing = false;
    }

    return {
      project,
      os,
      steps: [
        ...summarize(composed.customize, 'customize', outputs, project),
        ...(composed.inVMValidations ? summarize(composed.inVMValidations, 'inVMValidations', outputs, project) : []),
      ],
      artifacts,
      warnings: findings.filter((f) => f.severity !== 'error'),
      notices: notices.map((n) => ({ ...n, message: redact(n.message) })),
      outputs: { template: project.output.path, customize: project.siblings.customize, artifactsJson: project.siblings.artifactsJson },
      stale,
      extraArtifacts: options.prune && !options.check ? [] : extraArtifacts,
    };
  } catch (error) {
    // A failure while files were being replaced keeps the lock as the journal: the next build repairs.
    if (installing && lock) await lock.mark('failed').catch(() => undefined);
    throw error;
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true });
    if (lock && !installing) await lock.release(!wrote);
  }
}
