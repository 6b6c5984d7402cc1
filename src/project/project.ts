import { basename, dirname, join } from 'node:path';
import { ProjectError } from '../errors.js';
import { confineInput, confineOutput, isInside, projectRoots, type ConfinedPath, type ProjectRoots } from './paths.js';
import { PROJECT_FILE, projectPosition, readProjectFile, type ProjectFile } from './project-file.js';
import { fail, loadSteps, type Context } from './load-steps.js';
import { safeName, type Step } from './step.js';
import type { Os } from '../util/os.js';

export { PROJECT_FILE };
export { safeName, type Delivery, type RunFlags, type ScriptType, type Step, type StepKind, type StepList } from './step.js';

export interface Project {
  /** The project folder (real path; paths in the file are relative to it). */
  dir: string;
  /** The project file, as the user named it. */
  file: string;
  roots: ProjectRoots;
  source: ProjectFile;
  template: ConfinedPath;
  templateName?: string;
  output: ConfinedPath;
  artifacts: ConfinedPath;
  /** Files written next to the output. */
  siblings: { customize: string; artifactsJson: string };
  /** baseUri split so artifact names go into the path, before any query (a SAS token). */
  baseUri: { base: string; query: string };
  os?: Os;
  vars: Record<string, unknown>;
  varsFiles: ConfinedPath[];
  partials?: ConfinedPath;
  contentAddressed: boolean;
  templateSteps: 'keep' | 'drop';
  steps: Step[];
  validation: { steps: Step[]; continueDistributeOnFailure?: boolean; sourceValidationOnly?: boolean } | undefined;
}

/** `https://a/b/?sv=..&sig=..` -> base `https://a/b/`, query `?sv=..&sig=..`; the artifact name goes between. */
export function splitBaseUri(uri: string): { base: string; query: string } {
  const hash = uri.indexOf('#');
  const withoutFragment = hash === -1 ? uri : uri.slice(0, hash);
  const q = withoutFragment.indexOf('?');
  const path = q === -1 ? withoutFragment : withoutFragment.slice(0, q);
  const query = q === -1 ? '' : withoutFragment.slice(q);
  return { base: path.endsWith('/') ? path : `${path}/`, query: query === '?' ? '' : query };
}

export function artifactUri(project: Pick<Project, 'baseUri'>, file: string): string {
  return `${project.baseUri.base}${encodeURIComponent(file)}${project.baseUri.query}`;
}

/** Inputs of the project, for the checks that outputs never touch them. */
export function inputsOf(project: Project): { what: string; path: ConfinedPath; kind: 'file' | 'dir' }[] {
  const out: { what: string; path: ConfinedPath; kind: 'file' | 'dir' }[] = [
    { what: 'the template', path: project.template, kind: 'file' },
    ...project.varsFiles.map((path, i) => ({ what: `varsFiles[${i}]`, path, kind: 'file' as const })),
  ];
  if (project.partials) out.push({ what: 'partials', path: project.partials, kind: 'dir' });
  for (const step of [...project.steps, ...(project.validation?.steps ?? [])]) {
    if (step.kind === 'script') out.push({ what: `${step.where}.script`, path: step.script, kind: 'file' });
    if (step.kind === 'file') out.push({ what: `${step.where}.file`, path: step.file, kind: 'file' });
    if (step.kind === 'payload') out.push({ what: `${step.where}.payload`, path: step.payload, kind: 'dir' });
  }
  return out;
}

/** Outputs never are, contain or lie inside an input that would change them between builds. */
function checkOutputs(ctx: Context, project: Project): void {
  const projectFile = {
    what: PROJECT_FILE,
    path: { given: basename(project.file), path: project.file, real: join(project.dir, basename(project.file)) },
    kind: 'file' as const,
  };
  const inputs = [projectFile, ...inputsOf(project)];
  const outputs: { segments: string[]; real: string; folder: boolean; what: string }[] = [
    { segments: ['output'], real: project.output.real, folder: false, what: 'the output template' },
    { segments: ['output'], real: join(dirname(project.output.real), 'customize.json'), folder: false, what: 'customize.json (written next to the output)' },
    { segments: ['output'], real: join(dirname(project.output.real), 'artifacts.json'), folder: false, what: 'artifacts.json (written next to the output)' },
    { segments: ['artifacts'], real: project.artifacts.real, folder: true, what: 'the artifacts folder' },
  ];
  for (const output of outputs) {
    for (const input of inputs) {
      const clash =
        output.real === input.path.real ||
        (output.folder && isInside(output.real, input.path.real)) ||
        (input.kind === 'dir' && isInside(input.path.real, output.real));
      if (!clash) continue;
      const how = output.real === input.path.real ? 'is' : isInside(output.real, input.path.real) ? 'contains' : 'lies inside';
      throw fail(ctx, output.segments, `${output.what} ${how} ${input.what} (${input.path.given}); a build would overwrite or pack its own output`, [
        'keep outputs in a folder of their own, e.g. "output": "dist/template.json", "artifacts": "dist/artifacts"',
      ]);
    }
  }
  if (project.artifacts.real === dirname(project.output.real) || isInside(project.artifacts.real, dirname(project.output.real))) {
    throw fail(ctx, ['artifacts'], `the artifacts folder holds the output template and its siblings; they would be uploaded with the artifacts`, [
      'use e.g. "output": "dist/template.json" with "artifacts": "dist/artifacts"',
    ]);
  }
}

/** Artifact file names must not collide ("s x" and "s/x" both become "s-x"). */
function checkArtifactNames(project: Project): void {
  const byName = new Map<string, Step>();
  for (const step of [...project.steps, ...(project.validation?.steps ?? [])]) {
    const producesArtifact = step.kind === 'script' || step.kind === 'file' || step.kind === 'deprovision' ? step.delivery === 'uri' : step.kind === 'payload';
    if (!producesArtifact) continue;
    const key = (step.kind === 'deprovision' ? 'DeprovisioningScript' : safeName(step.name)).toLowerCase();
    const other = byName.get(key);
    if (other) {
      throw new ProjectError(
        `${step.at}  ${step.where} "${step.name}" and ${other.at}  ${other.where} "${other.name}" would write the same artifact file (${safeName(step.name)}.*)`,
        ['artifact file names keep only letters, digits, ".", "_" and "-" of the step name; rename one of the steps'],
      );
    }
    byName.set(key, step);
  }
}

/** Reads aibgen.json, checks it against its schema, resolves and confines every path. */
export async function loadProject(dirOrFile: string): Promise<Project> {
  const source = await readProjectFile(dirOrFile);
  const roots = projectRoots(source.dir);
  const ctx: Context = { source, roots };
  const raw = source.value;
  const at = (key: string) => `${projectPosition(source, [key])}  ${key}`;
  if (/\.bicepparam$/i.test(raw.template))
    throw new ProjectError(
      `${at('template')}: ${raw.template} is a parameters file; build writes steps into the .bicep file that declares the image template`,
      [
        'name that .bicep file as "template" (and an "output" .bicep next to it); point the .bicepparam\'s using at the output,',
        `then \`aibgen validate ${raw.template}\` checks the deployment with those parameters through the Bicep compiler`,
      ],
    );
  const bicepTemplate = /\.bicep$/i.test(raw.template);
  if (bicepTemplate !== /\.bicep$/i.test(raw.output))
    throw new ProjectError(
      `${at('output')}: ${bicepTemplate ? `the template is Bicep, so the output is the .bicep build writes; "${raw.output}" is not one` : `"${raw.output}" is a .bicep name, but the template is JSON and so is the output`}`,
      [bicepTemplate ? `e.g. "output": "${raw.template.replace(/\.bicep$/i, '.built.bicep')}"` : 'e.g. "output": "dist/template.json"'],
    );
  const output = confineOutput(roots, raw.output, at('output'));
  const project: Project = {
    dir: roots.dir,
    file: source.file,
    roots,
    source,
    template: confineInput(roots, raw.template, at('template'), 'file'),
    templateName: raw.templateName,
    output,
    artifacts: confineOutput(roots, raw.artifacts, at('artifacts')),
    siblings: { customize: join(dirname(output.path), 'customize.json'), artifactsJson: join(dirname(output.path), 'artifacts.json') },
    baseUri: splitBaseUri(raw.baseUri),
    os: raw.os,
    vars: raw.vars ?? {},
    varsFiles: (raw.varsFiles ?? []).map((v, i) => confineInput(roots, v, `${projectPosition(source, ['varsFiles', i])}  varsFiles[${i}]`, 'file')),
    partials: raw.partials === undefined ? undefined : confineInput(roots, raw.partials, at('partials'), 'dir'),
    contentAddressed: raw.contentAddressed ?? true,
    templateSteps: raw.templateSteps ?? 'keep',
    steps: loadSteps(ctx, 'customize', raw.customize),
    validation: raw.validate
      ? {
          steps: loadSteps(ctx, 'inVMValidations', raw.validate.inVMValidations ?? []),
          continueDistributeOnFailure: raw.validate.continueDistributeOnFailure,
          sourceValidationOnly: raw.validate.sourceValidationOnly,
        }
      : undefined,
  };
  const deprovisions = project.steps.filter((s) => s.kind === 'deprovision').length;
  if (deprovisions > 1) throw fail(ctx, ['customize'], `has ${deprovisions} deprovision steps; keep one, as the last step`);
  checkOutputs(ctx, project);
  checkArtifactNames(project);
  return project;
}
