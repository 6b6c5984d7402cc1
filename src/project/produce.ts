import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { hashFile } from '../checksum/index.js';
import { HashMemo } from '../checksum/hash-memo.js';
import { bundle, DEFAULT_MAX_SIZE } from '../bundle/index.js';
import {
  downloadCommands,
  extractSteps,
  INLINE_LIMIT,
  inlineFileCommands,
  inlineScriptCommands,
  type CustomizerStep,
  type FileStep,
  type PowerShellStep,
  type ShellStep,
} from '../customizers/index.js';
import { deprovisionCustomizer, deprovisionRecipe, deprovisionScript, type DeprovisionOptions } from '../deprovision/index.js';
import { AibgenError, ProjectError, TooLargeError } from '../errors.js';
import { mergeVariables, renderTemplate, type Variables } from '../render/index.js';
import { sha256Hex } from '../util/sha256.js';
import { manifestDigest, payloadManifest, scriptManifest } from './manifest.js';
import { artifactUri, safeName, type Project, type RunFlags, type Step } from './project.js';
import type { ArtifactKind, ArtifactRecord } from './artifacts-file.js';
import type { Os } from '../util/os.js';

export type { ArtifactKind, ArtifactRecord } from './artifacts-file.js';

export interface Artifact {
  /** File name in the artifacts folder. */
  file: string;
  /** Where the new bytes wait during the build; undefined when the artifact on disk is reused. */
  staged: string | undefined;
  uri: string;
  sha256: string;
  size: number;
  kind: ArtifactKind;
  inputs: string;
}

export interface StepOutput {
  step: Step;
  /** Customizers this step contributes (an `existing` step contributes the template's own later). */
  customizers: CustomizerStep[];
  artifact?: Artifact;
  /** The artifact on disk already matched its inputs: nothing was rendered or packed. */
  reused: boolean;
  ms: number;
}

export interface ProduceContext {
  project: Project;
  os: Os;
  vars: Variables;
  staging: string;
  aibgenVersion: string;
  /** What the previous build recorded, by list and step name. */
  previous: ReadonlyMap<string, ArtifactRecord>;
  /** Hashes of the artifacts on disk, remembered by file identity (an unchanged build does not read them again). */
  artifactHashes?: Pick<HashMemo, 'hash'>;
  warn(message: string): void;
}

export function recordKey(list: string, name: string): string {
  return `${list}\u0000${name}`;
}

function fail(step: Step, message: string, details: string[] = []): ProjectError {
  return new ProjectError(`${step.at}  ${step.where} "${step.name}": ${message}`, details);
}

function artifactFile(ctx: ProduceContext, step: Step, digest: string, extension: string): string {
  const base = step.kind === 'deprovision' ? 'DeprovisioningScript' : safeName(step.name);
  return ctx.project.contentAddressed ? `${base}.${digest.slice(0, 12)}${extension}` : `${base}${extension}`;
}

/**
 * The artifact the last build left, when its inputs are unchanged and its bytes on disk still
 * hash to what was recorded; otherwise undefined and the step is rebuilt.
 */
async function reusable(ctx: ProduceContext, step: Step, kind: ArtifactKind, inputs: string, extension: string): Promise<Artifact | undefined> {
  const record = ctx.previous.get(recordKey(step.list, step.name));
  if (!record || record.kind !== kind || record.inputs !== inputs) return undefined;
  const file = artifactFile(ctx, step, record.sha256, extension);
  if (basename(record.file) !== file) return undefined;
  try {
    const onDisk = await (ctx.artifactHashes ?? { hash: hashFile }).hash(join(ctx.project.artifacts.path, file));
    if (onDisk.sha256 !== record.sha256) return undefined;
    return { file, staged: undefined, uri: artifactUri(ctx.project, file), sha256: record.sha256, size: onDisk.size, kind, inputs };
  } catch {
    return undefined;
  }
}

async function stage(ctx: ProduceContext, step: Step, kind: ArtifactKind, bytes: Uint8Array, extension: string, inputs: string): Promise<Artifact> {
  const digest = sha256Hex(bytes);
  const file = artifactFile(ctx, step, digest, extension);
  const staged = join(ctx.staging, file);
  await writeFile(staged, bytes);
  return { file, staged, uri: artifactUri(ctx.project, file), sha256: digest, size: bytes.length, kind, inputs };
}

function runFlags(ctx: ProduceContext, step: Step & { flags: RunFlags }): RunFlags {
  const keys = Object.keys(step.flags);
  if (ctx.os === 'linux' && keys.length > 0) {
    throw fail(step, `${keys.join(', ')} are PowerShell settings; Linux Shell steps run as the build user (use sudo in the script)`);
  }
  return step.flags;
}

function scriptStep(
  os: Os,
  name: string,
  body: { scriptUri: string; sha256Checksum: string } | { inline: string[] },
  flags: RunFlags = {},
): ShellStep | PowerShellStep {
  return os === 'linux' ? { type: 'Shell', name, ...body } : { type: 'PowerShell', name, ...body, ...flags };
}

/** A plain script's bytes, checked as the VM will read them. */
async function plainScriptBytes(ctx: ProduceContext, step: Extract<Step, { kind: 'script' }>): Promise<Buffer> {
  let bytes = await readFile(step.script.path);
  if (step.scriptType === 'Shell') {
    if (bytes.includes('\r\n')) {
      if (step.eol !== 'lf') {
        throw fail(
          step,
          `${step.script.given} has CRLF line endings; on the VM it fails with "cannot execute: required file not found" (the kernel looks for "/bin/bash\\r")`,
          ['convert it to LF (dos2unix, or "*.sh text eol=lf" in .gitattributes), or set "eol": "lf" on this step to convert it when building'],
        );
      }
      bytes = Buffer.from(bytes.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    }
  } else if (!(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) && bytes.some((b) => b > 0x7f)) {
    ctx.warn(
      `${step.at}  ${step.where} "${step.name}": ${step.script.given} holds non-ASCII text without a UTF-8 BOM; Windows PowerShell 5.1 reads it in the ANSI code page and garbles it (save it as "UTF-8 with BOM", or render it from a .ps1.hbs template, which adds the BOM)`,
    );
  }
  return bytes;
}

async function produceScript(ctx: ProduceContext, step: Extract<Step, { kind: 'script' }>): Promise<Omit<StepOutput, 'ms' | 'step'>> {
  if ((step.scriptType === 'Shell') !== (ctx.os === 'linux')) {
    throw fail(
      step,
      `a ${step.scriptType === 'Shell' ? '.sh' : '.ps1'} script on a ${ctx.os} image; AIB runs ${step.scriptType} steps only on ${step.scriptType === 'Shell' ? 'Linux' : 'Windows'}`,
    );
  }
  const flags = runFlags(ctx, step);
  const extension = extname(step.outputName);
  const vars = step.isTemplate ? mergeVariables(ctx.vars, step.vars) : undefined;
  const plain = step.isTemplate ? undefined : await plainScriptBytes(ctx, step);
  const inputs = manifestDigest(await scriptManifest(step, vars, ctx.project.partials?.path, ctx.aibgenVersion, plain));
  if (step.delivery === 'uri') {
    const reused = await reusable(ctx, step, 'script', inputs, extension);
    if (reused)
      return { artifact: reused, reused: true, customizers: [scriptStep(ctx.os, step.name, { scriptUri: reused.uri, sha256Checksum: reused.sha256 }, flags)] };
  }
  let bytes: Buffer;
  if (plain) {
    bytes = plain;
  } else {
    const rendered = await renderTemplate(step.script.path, { vars, partialsDir: ctx.project.partials?.path, outputName: step.outputName });
    for (const warning of rendered.warnings) ctx.warn(`${step.at}  ${step.where} "${step.name}": ${warning}`);
    bytes = rendered.bytes;
  }
  if (step.delivery === 'inline') {
    if (bytes.length > INLINE_LIMIT) {
      throw fail(step, `the script is ${bytes.length} bytes, over the ${INLINE_LIMIT}-byte limit for inline delivery (templates carry it in base64)`, [
        'use "delivery": "uri" and host it',
      ]);
    }
    return { reused: false, customizers: [scriptStep(ctx.os, step.name, { inline: inlineScriptCommands(ctx.os, safeName(step.name), bytes) }, flags)] };
  }
  const artifact = await stage(ctx, step, 'script', bytes, extension, inputs);
  return { artifact, reused: false, customizers: [scriptStep(ctx.os, step.name, { scriptUri: artifact.uri, sha256Checksum: artifact.sha256 }, flags)] };
}

function payloadCustomizers(ctx: ProduceContext, step: Extract<Step, { kind: 'payload' }>, artifact: Artifact, format: 'tar.gz' | 'zip'): CustomizerStep[] {
  if (step.delivery === 'download') {
    return [
      scriptStep(ctx.os, step.name, {
        inline: downloadCommands({ os: ctx.os, uri: artifact.uri, sha256: artifact.sha256, archiveName: artifact.file, destination: step.destination }),
      }),
    ];
  }
  try {
    return extractSteps({
      uri: artifact.uri,
      sha256: artifact.sha256,
      archiveName: artifact.file,
      format,
      destination: step.destination,
      os: ctx.os,
      name: safeName(step.name),
    });
  } catch (error) {
    if (error instanceof AibgenError) throw fail(step, error.message);
    throw error;
  }
}

async function producePayload(ctx: ProduceContext, step: Extract<Step, { kind: 'payload' }>): Promise<Omit<StepOutput, 'ms' | 'step'>> {
  const format = ctx.os === 'linux' ? 'tar.gz' : 'zip';
  // The destination is checked before any packing, so a wrong one costs nothing.
  payloadCustomizers(
    ctx,
    step,
    { file: `x.${format}`, staged: undefined, uri: 'https://x/', sha256: '0'.repeat(64), size: 0, kind: 'payload', inputs: '' },
    format,
  );
  let inputs: string;
  try {
    // The payload's files, remembered by identity: an unchanged folder is not read again.
    const memo = new HashMemo(step.payload.path);
    inputs = manifestDigest(await payloadManifest(step, format, ctx.aibgenVersion, memo));
    await memo.save();
  } catch (error) {
    if (error instanceof AibgenError) throw fail(step, error.message, [...error.details]);
    throw error;
  }
  const reused = await reusable(ctx, step, 'payload', inputs, `.${format}`);
  if (reused) return { artifact: reused, reused: true, customizers: payloadCustomizers(ctx, step, reused, format) };
  const pending = join(ctx.staging, `.${safeName(step.name)}.pending.${format}`);
  const maxSize = step.delivery === 'download' ? Number.MAX_SAFE_INTEGER : (step.maxSize ?? DEFAULT_MAX_SIZE);
  let result;
  try {
    result = await bundle(step.payload.path, { output: pending, format, exclude: step.exclude, level: step.level, maxSize });
  } catch (error) {
    if (error instanceof TooLargeError) {
      throw fail(step, error.message, [
        ...error.details,
        `or raise "maxSize" on this step (the limit is ${error.limit} bytes)`,
        'or set "delivery": "download" on this step: the build VM then downloads and checks the archive itself, with no size limit',
      ]);
    }
    if (error instanceof AibgenError) throw fail(step, error.message, [...error.details]);
    throw error;
  }
  const file = artifactFile(ctx, step, result.sha256, `.${format}`);
  const staged = join(ctx.staging, file);
  await rename(pending, staged);
  const artifact: Artifact = { file, staged, uri: artifactUri(ctx.project, file), sha256: result.sha256, size: result.size, kind: 'payload', inputs };
  return { artifact, reused: false, customizers: payloadCustomizers(ctx, step, artifact, format) };
}

async function produceFile(ctx: ProduceContext, step: Extract<Step, { kind: 'file' }>): Promise<Omit<StepOutput, 'ms' | 'step'>> {
  const bytes = await readFile(step.file.path);
  if (step.delivery === 'inline') {
    if (bytes.length > INLINE_LIMIT)
      throw fail(step, `the file is ${bytes.length} bytes, over the ${INLINE_LIMIT}-byte limit for inline delivery`, ['use "delivery": "uri"']);
    const sudo = ctx.os === 'linux' && !step.destination.startsWith('/tmp/');
    return {
      reused: false,
      customizers: [scriptStep(ctx.os, step.name, { inline: inlineFileCommands({ os: ctx.os, path: step.destination, content: bytes, sudo }) })],
    };
  }
  const extension = extname(step.file.path);
  const inputs = manifestDigest({ aibgen: ctx.aibgenVersion, file: sha256Hex(bytes) });
  const reused = await reusable(ctx, step, 'file', inputs, extension);
  const artifact = reused ?? (await stage(ctx, step, 'file', bytes, extension, inputs));
  return {
    artifact,
    reused: reused !== undefined,
    customizers: [{ type: 'File', name: step.name, sourceUri: artifact.uri, destination: step.destination, sha256Checksum: artifact.sha256 }],
  };
}

async function produceDeprovision(ctx: ProduceContext, step: Extract<Step, { kind: 'deprovision' }>): Promise<Omit<StepOutput, 'ms' | 'step'>> {
  const o = step.options;
  if (ctx.os === 'linux' && (o.modeVm !== undefined || o.timeoutMinutes !== undefined))
    throw fail(step, 'modeVm and timeoutMinutes are Windows (Sysprep) options');
  if (ctx.os === 'windows' && (o.keepUser !== undefined || o.cloudInitClean !== undefined))
    throw fail(step, 'keepUser and cloudInitClean are Linux (waagent, cloud-init) options');
  const options: DeprovisionOptions =
    ctx.os === 'linux'
      ? { os: 'linux', keepUser: o.keepUser, cloudInitClean: o.cloudInitClean, pre: o.pre }
      : { os: 'windows', modeVm: o.modeVm, timeoutMinutes: o.timeoutMinutes, pre: o.pre };
  if (step.delivery === 'inline') {
    const script = await deprovisionScript(options);
    return { reused: false, customizers: [{ ...deprovisionCustomizer(script, { inline: true }), name: step.name }] };
  }
  // The inputs are the template and its variables, so an unchanged override is proven by its digest without rendering it.
  const recipe = await deprovisionRecipe(options);
  const inputs = manifestDigest({ aibgen: ctx.aibgenVersion, template: sha256Hex(recipe.template), vars: recipe.vars });
  const extension = ctx.os === 'linux' ? '.sh' : '.ps1';
  const reused = await reusable(ctx, step, 'deprovision', inputs, extension);
  const artifact = reused ?? (await stage(ctx, step, 'deprovision', (await deprovisionScript(options)).bytes, extension, inputs));
  const customizer: FileStep = { type: 'File', name: step.name, sourceUri: artifact.uri, destination: recipe.vmPath, sha256Checksum: artifact.sha256 };
  return { artifact, reused: reused !== undefined, customizers: [customizer] };
}

/** Renders, bundles or copies what one step needs (or reuses what is on disk) and returns its customizers. */
export async function produceStep(ctx: ProduceContext, step: Step): Promise<StepOutput> {
  const started = performance.now();
  let out: Omit<StepOutput, 'ms' | 'step'>;
  switch (step.kind) {
    case 'script':
      out = await produceScript(ctx, step);
      break;
    case 'payload':
      out = await producePayload(ctx, step);
      break;
    case 'file':
      out = await produceFile(ctx, step);
      break;
    case 'inline':
      out = { reused: false, customizers: [scriptStep(ctx.os, step.name, { inline: step.inline }, runFlags(ctx, step))] };
      break;
    case 'restart':
    case 'windowsUpdate':
      if (ctx.os !== 'windows') throw fail(step, `${step.kind === 'restart' ? 'WindowsRestart' : 'WindowsUpdate'} runs only on Windows images`);
      out = {
        reused: false,
        customizers: [
          step.kind === 'restart' ? { type: 'WindowsRestart', name: step.name, ...step.options } : { type: 'WindowsUpdate', name: step.name, ...step.options },
        ],
      };
      break;
    case 'existing':
      out = { reused: false, customizers: [] };
      break;
    case 'deprovision':
      out = await produceDeprovision(ctx, step);
      break;
  }
  return { step, ...out, ms: performance.now() - started };
}
