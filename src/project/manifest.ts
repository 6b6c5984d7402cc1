import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFile } from '../checksum/index.js';
import type { HashMemo } from '../checksum/hash-memo.js';
import { ARCHIVE_FORMAT_VERSION, DEFAULT_LEVEL, resolveMtime, walkPayload } from '../bundle/index.js';
import { mapLimit } from '../util/concurrency.js';
import { sha256Hex } from '../util/sha256.js';
import type { Step } from './project.js';

/**
 * Input manifests: everything that decides the bytes of a step's artifact, hashed into one digest
 * kept in artifacts.json (`inputs`). When a step's digest and its artifact on disk (re-hashed, never
 * trusted by mtime) both match what artifacts.json records, the step is not rebuilt. Content is
 * hashed, so a changed byte anywhere changes the digest; the aibgen version is part of every
 * manifest, so an upgrade rebuilds everything.
 */

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function manifestDigest(manifest: Record<string, unknown>): string {
  return sha256Hex(canonical(manifest));
}

/** Every included file of a payload with its mode bit and content hash, symlinks with their targets, in archive order. */
export async function payloadManifest(
  step: Extract<Step, { kind: 'payload' }>,
  format: string,
  aibgen: string,
  memo: Pick<HashMemo, 'hash'> = { hash: hashFile },
): Promise<Record<string, unknown>> {
  const walk = walkPayload(step.payload.path, { exclude: step.exclude });
  const entries = await mapLimit(walk.entries, 8, async (entry) => {
    if (entry.kind === 'file') return [entry.path, entry.executable ? 'x' : 'f', (await memo.hash(entry.source)).sha256];
    if (entry.kind === 'symlink') return [entry.path, 'l', entry.target];
    return [entry.path, 'd'];
  });
  return {
    aibgen,
    archive: ARCHIVE_FORMAT_VERSION,
    format,
    level: step.level ?? DEFAULT_LEVEL,
    mtime: resolveMtime(undefined),
    exclude: step.exclude,
    entries,
  };
}

/** A script template with its partials and variables, or a plain script's bytes. */
export async function scriptManifest(
  step: Extract<Step, { kind: 'script' }>,
  vars: unknown,
  partialsDir: string | undefined,
  aibgen: string,
  bytes?: Uint8Array,
): Promise<Record<string, unknown>> {
  if (!step.isTemplate) return { aibgen, script: sha256Hex(bytes ?? (await readFile(step.script.path))), eol: step.eol, name: step.outputName };
  const partials: [string, string][] = [];
  if (partialsDir) {
    for (const name of (await readdir(partialsDir)).filter((n) => n.endsWith('.hbs')).sort())
      partials.push([name, sha256Hex(await readFile(join(partialsDir, name)))]);
  }
  return { aibgen, template: sha256Hex(await readFile(step.script.path)), partials, vars, name: step.outputName };
}
