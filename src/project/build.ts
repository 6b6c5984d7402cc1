import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { redact } from '../util/redact.js';
import {
  aibgenVersion,
  artifactRecords,
  checkResult,
  composeTemplate,
  install,
  listArtifactsFolder,
  outputFiles,
  produceSteps,
  readInputs,
  readPrevious,
  sasNotice,
  staleFiles,
  summarize,
} from './build-phases.js';
import type { BuildOptions, BuildResult, Notice } from './build-types.js';
import { BuildLock, createStaging, sweepLeftovers } from './workspace.js';

export type { ArtifactRecord } from './artifacts-file.js';
export type { BuildOptions, BuildResult, Notice, StepSummary } from './build-types.js';

/**
 * Builds a project: renders and bundles every step into content-addressed artifacts (reusing
 * those whose inputs did not change), puts the generated steps into the template (only its
 * customize and validate lists change), validates the result, then writes artifacts,
 * artifacts.json, customize.json and, last, the template. With `check`, compares instead.
 * The phases are in build-phases.ts; this function holds the lock and the staging folder around them.
 */
export async function build(dir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const inputs = await readInputs(dir);
  const { project, os } = inputs;
  const outputDir = dirname(project.output.path);
  const notices: Notice[] = [];

  let lock: BuildLock | undefined;
  try {
    lock = options.check ? undefined : await BuildLock.acquire(outputDir);
  } catch (error) {
    inputs.bicep?.session.dispose();
    throw error;
  }
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
    const warn = (message: string) => notices.push({ level: 'warning', message });
    const produced = await produceSteps({ project, os, vars: inputs.vars, staging, aibgenVersion: aibgenVersion(), previous, warn }, options);
    const composed = await composeTemplate(inputs, produced);
    const checked = await checkResult(inputs, composed, produced, { lint: options.lint ?? true, staging });
    for (const note of checked.notes) notices.push({ level: 'note', message: note });

    const artifacts = artifactRecords(project, produced);
    const files = await outputFiles(project, composed, artifacts);
    const sas = sasNotice(project, files, produced);
    if (sas) notices.push(sas);
    const listed = new Set(artifacts.map((a) => a.file.split('/').pop() as string));
    const extraArtifacts = (await listArtifactsFolder(project.artifacts.path)).filter((name) => !listed.has(name));
    let stale: BuildResult['stale'] = [];
    if (options.check) {
      stale = await staleFiles(project, produced, files);
    } else {
      installing = true;
      wrote = true;
      await (lock as BuildLock).mark('installing');
      await install(project, produced, files, options.prune ? extraArtifacts : []);
      installing = false;
    }

    const outputs = new Map(produced.map((o) => [o.step, o]));
    return {
      project,
      os,
      steps: [
        ...summarize(composed.customize, 'customize', outputs, project),
        ...(composed.inVMValidations ? summarize(composed.inVMValidations, 'inVMValidations', outputs, project) : []),
      ],
      artifacts,
      warnings: checked.findings.filter((f) => f.severity !== 'error'),
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
    inputs.bicep?.session.dispose();
    if (staging) await rm(staging, { recursive: true, force: true });
    if (lock && !installing) await lock.release(!wrote);
  }
}
