import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { bundle, DEFAULT_MAX_SIZE } from '../bundle/index.js';
import { downloadCommands, extractSteps, INLINE_LIMIT, inlineFileCommands, inlineScriptCommands, sha256, type CustomizerEntry } from '../customizers/index.js';
import { deprovisionCustomizer, deprovisionScript } from '../deprovision/index.js';
import { AibgenError } from '../errors.js';
import { mergeVariables, renderTemplate, type Variables } from '../render/index.js';
import { safeName, type Project, type Step } from './project.js';

export type ArtifactKind = 'script' | 'payload' | 'file' | 'deprovision';

export interface Artifact {
  step: string;
  kind: ArtifactKind;
  /** File name in the artifacts folder. */
  file: string;
  /** Where it was staged during the build. */
  staged: string;
  uri: string;
  sha256: string;
  size: number;
}

export interface StepOutput {
  step: Step;
  /** Customizers this step contributes (an `existing` step contributes none here). */
  customizers: CustomizerEntry[];
  artifact?: Artifact;
  ms: number;
}

export interface StepContext {
  project: Project;
  os: 'linux' | 'windows';
  vars: Variables;
  staging: string;
}

function fail(ctx: StepContext, step: Step, message: string, details: string[] = []): AibgenError {
  return new AibgenError('E_PROJECT', `${basename(ctx.project.file)}: ${step.where} (${step.name}): ${message}`, { details });
}

function artifactName(ctx: StepContext, step: Step, digest: string, extension: string): string {
  const base = step.kind === 'deprovision' ? 'DeprovisioningScript' : safeName(step.name);
  return ctx.project.contentAddressed ? `${base}.${digest.slice(0, 12)}${extension}` : `${base}${extension}`;
}

async function stage(ctx: StepContext, step: Step, kind: ArtifactKind, bytes: Uint8Array, extension: string): Promise<Artifact> {
  const digest = sha256(bytes);
  const file = artifactName(ctx, step, digest, extension);
  const staged = join(ctx.staging, file);
  await writeFile(staged, bytes);
  return { step: step.name, kind, file, staged, uri: ctx.project.baseUri + encodeURI(file), sha256: digest, size: bytes.length };
}

function scriptType(os: 'linux' | 'windows'): 'Shell' | 'PowerShell' {
  return os === 'linux' ? 'Shell' : 'PowerShell';
}

function powerShellFlags(ctx: StepContext, step: Step & { runElevated?: boolean; runAsSystem?: boolean; validExitCodes?: number[] }): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  if (step.runElevated !== undefined) flags.runElevated = step.runElevated;
  if (step.runAsSystem !== undefined) flags.runAsSystem = step.runAsSystem;
  if (step.validExitCodes !== undefined) flags.validExitCodes = step.validExitCodes;
  if (ctx.os === 'linux' && Object.keys(flags).length > 0) {
    throw fail(ctx, step, `${Object.keys(flags).join(', ')} are PowerShell settings; Linux Shell steps run as the build user (use sudo in the script)`);
  }
  return flags;
}

async function scriptStep(ctx: StepContext, step: Extract<Step, { kind: 'script' }>): Promise<Omit<StepOutput, 'ms' | 'step'>> {
  const isTemplate = step.script.toLowerCase().endsWith('.hbs');
  const outputName = basename(isTemplate ? step.script.slice(0, -4) : step.script);
  const extension = extname(outputName);
  if ((ctx.os === 'linux' && extension.toLowerCase() === '.ps1') || (ctx.os === 'windows' && extension.toLowerCase() === '.sh')) {
    throw fail(ctx, step, `a ${extension} script on a ${ctx.os} image; AIB runs ${scriptType(ctx.os)} steps there`);
  }
  const bytes = isTemplate
    ? (await renderTemplate(step.script, { vars: mergeVariables(ctx.vars, step.vars), partialsDir: ctx.project.partials, outputName })).bytes
    : await readFile(step.script);
  const flags = powerShellFlags(ctx, step);
  if (step.delivery === 'inline') {
    if (bytes.length > INLINE_LIMIT) {
      throw fail(ctx, step, `the script is ${bytes.length} bytes, over the ${INLINE_LIMIT}-byte limit for inline delivery (templates carry it in base64)`, ['use "delivery": "uri" and host it']);
    }
    return { customizers: [{ type: scriptType(ctx.os), name: step.name, inline: inlineScriptCommands(ctx.os, safeName(step.name), bytes), ...flags }] };
  }
  const artifact = await stage(ctx, step, 'script', bytes, extension);
  return { artifact, customizers: [{ type: scriptType(ctx.os), name: step.name, scriptUri: artifact.uri, sha256Checksum: artifact.sha256, ...flags }] };
}

async function payloadStep(ctx: StepContext, step: Extract<Step, { kind: 'payload' }>): Promise<Omit<StepOutput, 'ms' | 'step'>> {
  const format = ctx.os === 'linux' ? 'tar.gz' : 'zip';
  const temp = join(ctx.staging, `.${safeName(step.name)}.pending.${format}`);
  const maxSize = step.delivery === 'download' ? Number.MAX_SAFE_INTEGER : (step.maxSize ?? DEFAULT_MAX_SIZE);
  let result;
  try {
    result = await bundle(step.payload, { output: temp, format, exclude: step.exclude, maxSize });
  } catch (error) {
    if (error instanceof AibgenError) {
      const hint = error.code === 'E_TOO_LARGE' ? ['set "delivery": "download" on this step: the build VM then downloads and checks it itself, with no size limit'] : [];
      throw fail(ctx, step, error.message, [...error.details.filter((d) => !d.includes('delivery "download"')), ...hint]);
    }
    throw error;
  }
  const file = artifactName(ctx, step, result.sha256, `.${format}`);
  const staged = join(ctx.staging, file);
  await rename(temp, staged);
  const artifact: Artifact = { step: step.name, kind: 'payload', file, staged, uri: ctx.project.baseUri + encodeURI(file), sha256: result.sha256, size: result.size };
  if (step.delivery === 'download') {
    const inline = downloadCommands({ os: ctx.os, uri: artifact.uri, sha256: artifact.sha256, archiveName: file, destination: step.destination });
    return { artifact, customizers: [{ type: scriptType(ctx.os), name: step.name, inline }] };
  }
  const customizers = extractSteps({ uri: artifact.uri, sha256: artifact.sha256, archiveName: file, format, destination: step.destination, os: ctx.os, name: safeName(step.name) });
  return { artifact, customizers };
}

async function fileStep(ctx: StepContext, step: Extract<Step, { kind: 'file' }>): Promise<Omit<StepOutput, 'ms' | 'step'>> {
  const bytes = await readFile(step.file);
  if (step.delivery === 'inline') {
    if (bytes.length > INLINE_LIMIT) throw fail(ctx, step, `the file is ${bytes.length} bytes, over the ${INLINE_LIMIT}-byte limit for inline delivery`, ['use "delivery": "uri"']);
    const sudo = ctx.os === 'linux' && !step.destination.startsWith('/tmp/');
    return { customizers: [{ type: scriptType(ctx.os), name: step.name, inline: inlineFileCommands({ os: ctx.os, path: step.destination, content: bytes, sudo }) }] };
  }
  const artifact = await stage(ctx, step, 'file', bytes, extname(step.file));
  return { artifact, customizers: [{ type: 'File', name: step.name, sourceUri: artifact.uri, destination: step.destination, sha256Checksum: artifact.sha256 }] };
}

async function deprovisionStep(ctx: StepContext, step: Extract<Step, { kind: 'deprovision' }>): Promise<Omit<StepOutput, 'ms' | 'step'>> {
  const o = step.options;
  if (ctx.os === 'linux' && (o.modeVm !== undefined || o.timeoutMinutes !== undefined)) throw fail(ctx, step, 'modeVm and timeoutMinutes are Windows (Sysprep) options');
  if (ctx.os === 'windows' && (o.keepUser !== undefined || o.cloudInitClean !== undefined)) throw fail(ctx, step, 'keepUser and cloudInitClean are Linux (waagent, cloud-init) options');
  const script = await deprovisionScript(ctx.os === 'linux' ? { os: 'linux', keepUser: o.keepUser, cloudInitClean: o.cloudInitClean, pre: o.pre } : { os: 'windows', modeVm: o.modeVm, timeoutMinutes: o.timeoutMinutes, pre: o.pre });
  if (step.delivery === 'inline') return { customizers: [{ ...deprovisionCustomizer(script, { inline: true }), name: step.name }] };
  const artifact = await stage(ctx, step, 'deprovision', script.bytes, ctx.os === 'linux' ? '.sh' : '.ps1');
  return { artifact, customizers: [{ ...deprovisionCustomizer(script, { uri: artifact.uri }), name: step.name }] };
}

/** Renders, bundles or copies what one step needs and returns its customizers. */
export async function produceStep(ctx: StepContext, step: Step): Promise<StepOutput> {
  const started = performance.now();
  let out: Omit<StepOutput, 'ms' | 'step'>;
  switch (step.kind) {
    case 'script':
      out = await scriptStep(ctx, step);
      break;
    case 'payload':
      out = await payloadStep(ctx, step);
      break;
    case 'file':
      out = await fileStep(ctx, step);
      break;
    case 'inline':
      out = { customizers: [{ type: scriptType(ctx.os), name: step.name, inline: step.inline, ...powerShellFlags(ctx, step) }] };
      break;
    case 'restart':
    case 'windowsUpdate':
      if (ctx.os !== 'windows') throw fail(ctx, step, `${step.kind === 'restart' ? 'WindowsRestart' : 'WindowsUpdate'} runs only on Windows images`);
      out = { customizers: [{ type: step.kind === 'restart' ? 'WindowsRestart' : 'WindowsUpdate', name: step.name, ...step.options }] };
      break;
    case 'existing':
      out = { customizers: [] };
      break;
    case 'deprovision':
      out = await deprovisionStep(ctx, step);
      break;
  }
  return { step, ...out, ms: performance.now() - started };
}
