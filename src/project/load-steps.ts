import { basename } from 'node:path';
import { ProjectError } from '../errors.js';
import { confineInput, type ProjectRoots } from './paths.js';
import { projectPosition, projectSourcePosition, STEP_KINDS, type ProjectFile, type RawStep, type StepKindName, type StepsByKind } from './project-file.js';
import type { InlineStep, ScriptStep } from './project-file.types.js';
import { safeName, type RunFlags, type Step, type StepList } from './step.js';
import { formatPosition } from '../util/text-position.js';

/** The steps of customize and inVMValidations, from the project file's entries to checked, named steps. */

function stemOf(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.hbs$/i, '').replace(/\.(tar\.gz|tgz|zip|sh|ps1|[^.]+)$/i, '');
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

export interface Context {
  source: ProjectFile;
  roots: ProjectRoots;
}

export function fail(ctx: Context, segments: (string | number)[], message: string, details: string[] = []): ProjectError {
  return new ProjectError(`${projectPosition(ctx.source, segments)}  ${label(segments)}: ${message}`, details);
}

export function label(segments: readonly (string | number)[]): string {
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

export function loadSteps(ctx: Context, list: StepList, raws: RawStep[]): Step[] {
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
