import { basename, dirname, join } from 'node:path';
import { ProjectError } from '../errors.js';
import { confineInput, confineOutput, isInside, projectRoots, type ConfinedPath, type ProjectRoots } from './paths.js';
import {
  PROJECT_FILE,
  projectPosition,
  projectSourcePosition,
  readProjectFile,
  STEP_KINDS,
  type ProjectFile,
  type RawStep,
  type StepKindName,
  type StepsByKind,
} from './project-file.js';
import type { DeprovisionStep, InlineStep, RestartStep, ScriptStep, WindowsUpdateStep } from './project-file.types.js';

/** A `true | { options }` setting, as its options (`true` is all defaults). */
type OptionsOf<T> = Exclude<T, true>;
import type { Os } from '../util/os.js';
import { formatPosition, type SourcePosition } from '../util/text-position.js';

export { PROJECT_FILE };

export type Delivery = 'uri' | 'inline' | 'download';
export type StepList = 'customize' | 'inVMValidations';

export interface RunFlags {
  runElevated?: boolean;
  runAsSystem?: boolean;
  validExitCodes?: number[];
}

interface StepBase {
  /** `customize[2]` or `validate.inVMValidations[0]`, for messages. */
  where: string;
  /** Where the step is in the project file: `aibgen.json:12:5` for messages, and the same place as data. */
  at: string;
  position: SourcePosition;
  list: StepList;
  name: string;
  /** Whether the name was given, or made up from the step's place or file. */
  nameGiven: boolean;
}

export type ScriptType = 'Shell' | 'PowerShell';

export type Step =
  | (StepBase & {
      kind: 'script';
      script: ConfinedPath;
      scriptType: ScriptType;
      isTemplate: boolean;
      outputName: string;
      vars: Record<string, unknown>;
      flags: RunFlags;
      eol?: 'lf';
      delivery: 'uri' | 'inline';
    })
  | (StepBase & {
      kind: 'payload';
      payload: ConfinedPath;
      destination: string;
      exclude: string[];
      level?: number;
      delivery: 'uri' | 'download';
      maxSize?: number;
    })
  | (StepBase & { kind: 'file'; file: ConfinedPath; destination: string; delivery: 'uri' | 'inline' })
  | (StepBase & { kind: 'inline'; inline: string[]; flags: RunFlags })
  | (StepBase & { kind: 'restart'; options: OptionsOf<RestartStep['restart']> })
  | (StepBase & { kind: 'windowsUpdate'; options: OptionsOf<WindowsUpdateStep['windowsUpdate']> })
  | (StepBase & { kind: 'existing'; existing: string })
  | (StepBase & {
      kind: 'deprovision';
      options: OptionsOf<DeprovisionStep['deprovision']>;
      delivery: 'uri' | 'inline';
    });

export type StepKind = Step['kind'];

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

/** Artifact file names are made of these characters only. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'step';
}

function stemOf(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.hbs$/i, '').replace(/\.(tar\.gz|tgz|zip|sh|ps1|[^.]+)$/i, '');
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

/** How to run a file the script step cannot: deliver it with a file step, then call it. */
function otherScriptHint(file: string, name: string): string[] {
  const base = basename(file.replace(/\.hbs$/i, ''));
  const ext = base.split('.').pop()?.toLowerCase() ?? '';
  const windows = ['bat', 'cmd', 'exe', 'msi', 'vbs'].includes(ext);
  const vmPath = windows ? `C:\\Windows\\Temp\\${base}` : `/tmp/${base}`;
  const runner = ext === 'py' ? 'python3' : ext === 'pl' ? 'perl' : ext === 'rb' ? 'ruby' : 'bash';
  const call = windows
    ? ext === 'msi'
      ? `Start-Process msiexec.exe -Wait -ArgumentList '/i ${vmPath} /qn'`
      : `& '${vmPath}'; if ($LASTEXITCODE) { exit $LASTEXITCODE }`
    : `sudo ${runner} ${vmPath}`;
  return [
    'deliver it with a file step and call it from an inline step:',
    `  ${JSON.stringify({ name, file, destination: vmPath })},`,
    `  ${JSON.stringify({ name: `run-${name}`, inline: [call] })}`,
  ];
}

interface Context {
  source: ProjectFile;
  roots: ProjectRoots;
}

function fail(ctx: Context, segments: (string | number)[], message: string, details: string[] = []): ProjectError {
  return new ProjectError(`${projectPosition(ctx.source, segments)}  ${label(segments)}: ${message}`, details);
}

function label(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out;
}

/** A step as written, with the kind its key says. */
type TaggedStep = { [K in StepKindName]: { kind: K; raw: StepsByKind[K] } }[StepKindName];

function tag(raw: RawStep): TaggedStep {
  // The schema check has made sure exactly one kind's key is present and the entry has that kind's shape.
  const kind = STEP_KINDS.find((k) => k in raw) as StepKindName;
  return { kind, raw } as TaggedStep;
}

const givenName = (raw: RawStep): string | undefined => ('name' in raw ? raw.name : undefined);

function flagsOf(raw: ScriptStep | InlineStep): RunFlags {
  const flags: RunFlags = {};
  if (raw.runElevated !== undefined) flags.runElevated = raw.runElevated;
  if (raw.runAsSystem !== undefined) flags.runAsSystem = raw.runAsSystem;
  if (raw.validExitCodes !== undefined) flags.validExitCodes = raw.validExitCodes;
  return flags;
}

/** Names for steps that do not give one, from their neighbours rather than their index, so inserting a step elsewhere does not rename them. */
function defaultNames(list: RawStep[]): string[] {
  const tagged = list.map(tag);
  const fromFile = tagged.map((step): string | undefined => {
    const given = givenName(step.raw);
    if (given !== undefined) return given;
    switch (step.kind) {
      case 'script':
        return stemOf(step.raw.script);
      case 'payload':
        return stemOf(step.raw.payload);
      case 'file':
        return stemOf(step.raw.file);
      case 'deprovision':
        return 'deprovision';
      case 'existing':
        return step.raw.existing;
      default:
        return undefined;
    }
  });
  const prefixes = { restart: 'restart', windowsUpdate: 'windows-update', inline: 'inline' } as const;
  const names: string[] = [];
  tagged.forEach((step, i) => {
    const own = fromFile[i];
    if (own !== undefined) return void names.push(own);
    const prefix = prefixes[step.kind as keyof typeof prefixes];
    const previous = names[i - 1];
    const next = fromFile.slice(i + 1).find((n) => n !== undefined);
    names.push(previous !== undefined ? `${prefix}-after-${previous}` : next !== undefined ? `${prefix}-before-${next}` : prefix);
  });
  return names;
}

function loadSteps(ctx: Context, list: StepList, raws: RawStep[]): Step[] {
  const prefix: (string | number)[] = list === 'customize' ? ['customize'] : ['validate', 'inVMValidations'];
  const names = defaultNames(raws);
  const seen = new Map<string, (string | number)[]>();
  const steps: Step[] = [];
  raws.forEach((raw, index) => {
    const segments = [...prefix, index];
    const where = label(segments);
    const step = tag(raw);
    const name = names[index]!;
    const named = givenName(raw) !== undefined;
    const position = projectSourcePosition(ctx.source, segments);
    const at = formatPosition(position);
    if (step.kind !== 'existing') {
      const key = name.toLowerCase();
      const other = seen.get(key);
      if (other) {
        throw fail(
          ctx,
          [...segments, ...(named ? ['name'] : [])],
          `"${name}" is already the name of ${label(other)} (${projectPosition(ctx.source, other)}); step names must be unique`,
          [named ? 'rename one of them' : 'give this step a "name" of its own'],
        );
      }
      seen.set(key, segments);
    }
    const base = { where, at, position, list, name, nameGiven: named };
    switch (step.kind) {
      case 'script': {
        const { raw } = step;
        const script = confineInput(ctx.roots, raw.script, `${at}  ${where}.script`, 'file');
        const isTemplate = /\.hbs$/i.test(script.given);
        const outputName = basename(isTemplate ? script.given.slice(0, -4) : script.given);
        const extension = outputName.includes('.') ? outputName.slice(outputName.lastIndexOf('.') + 1).toLowerCase() : '';
        if (extension !== 'sh' && extension !== 'ps1') {
          throw fail(
            ctx,
            [...segments, 'script'],
            `"${script.given}" is neither a .sh (Shell) nor a .ps1 (PowerShell) script; AIB runs only those as script steps`,
            otherScriptHint(script.given, safeName(name)),
          );
        }
        if (raw.eol !== undefined && extension !== 'sh')
          throw fail(ctx, [...segments, 'eol'], '"eol": "lf" converts shell scripts; PowerShell reads CRLF and LF alike');
        steps.push({
          ...base,
          kind: 'script',
          script,
          scriptType: extension === 'sh' ? 'Shell' : 'PowerShell',
          isTemplate,
          outputName,
          vars: raw.vars ?? {},
          flags: flagsOf(raw),
          eol: raw.eol,
          delivery: raw.delivery ?? 'uri',
        });
        break;
      }
      case 'payload': {
        const { raw } = step;
        steps.push({
          ...base,
          kind: 'payload',
          payload: confineInput(ctx.roots, raw.payload, `${at}  ${where}.payload`, 'dir'),
          destination: raw.destination,
          exclude: raw.exclude ?? [],
          level: raw.level,
          delivery: raw.delivery ?? 'uri',
          maxSize: raw.maxSize,
        });
        break;
      }
      case 'file': {
        const { raw } = step;
        steps.push({
          ...base,
          kind: 'file',
          file: confineInput(ctx.roots, raw.file, `${at}  ${where}.file`, 'file'),
          destination: raw.destination,
          delivery: raw.delivery ?? 'uri',
        });
        break;
      }
      case 'inline':
        steps.push({ ...base, kind: 'inline', inline: step.raw.inline, flags: flagsOf(step.raw) });
        break;
      case 'restart':
        steps.push({ ...base, kind: 'restart', options: step.raw.restart === true ? {} : step.raw.restart });
        break;
      case 'windowsUpdate':
        steps.push({ ...base, kind: 'windowsUpdate', options: step.raw.windowsUpdate === true ? {} : step.raw.windowsUpdate });
        break;
      case 'existing':
        steps.push({ ...base, kind: 'existing', existing: step.raw.existing });
        break;
      case 'deprovision': {
        if (index !== raws.length - 1) {
          throw fail(ctx, segments, 'the deprovision step must be the last step (AIB runs the override at the very end; nothing may change it afterwards)');
        }
        const { raw } = step;
        steps.push({ ...base, kind: 'deprovision', options: raw.deprovision === true ? {} : raw.deprovision, delivery: raw.delivery ?? 'uri' });
        break;
      }
    }
  });
  return steps;
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
