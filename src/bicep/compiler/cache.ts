import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { literalOf } from '../lexer.js';
import type { Evaluation } from './evaluate.js';
import type { BicepSource } from './files.js';

/**
 * The compiler's evaluations, cached by content: the key hashes the compiler's identity, the params
 * and every byte the evaluation can read (the Bicep files of the deployment and the files they load
 * with loadTextContent and friends), so an unchanged `build --check` or a second validate does not
 * start the compiler (a ContentCache of kind "bicep").
 */

/** Files a Bicep file loads at compile time (loadTextContent('x'), loadJsonContent, loadFileAsBase64, loadYamlContent ...). */
function loadedFiles(source: BicepSource): string[] {
  const out: string[] = [];
  const tokens = source.structure.tokens;
  tokens.forEach((token, i) => {
    if (token.kind !== 'ident' || !/^load[A-Za-z]*(Content|Base64)$/.test(token.value)) return;
    const open = tokens[i + 1];
    const path = open?.kind === 'punct' && open.value === '(' ? literalOf(tokens[i + 2]) : undefined;
    if (path) out.push(resolve(dirname(source.path), path));
  });
  return out;
}

async function digestOf(path: string): Promise<string> {
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  } catch {
    return 'missing';
  }
}

export async function evaluationKey(
  compilerIdentity: string,
  entry: string,
  params: Record<string, unknown>,
  sources: readonly BicepSource[],
): Promise<string> {
  const files = new Set<string>();
  for (const source of sources) {
    files.add(source.path);
    for (const loaded of loadedFiles(source)) files.add(loaded);
  }
  const parts: string[][] = [];
  for (const file of [...files].sort()) parts.push([file, await digestOf(file)]);
  return createHash('sha256')
    .update(JSON.stringify({ format: 1, compiler: compilerIdentity, entry: resolve(entry), params, parts }))
    .digest('hex');
}

export type Stored = Pick<Evaluation, 'templates' | 'diagnostics' | 'notes' | 'failed'> & { version: string };

export function isStored(value: unknown): value is Stored {
  const v = value as Partial<Stored> | null;
  return (
    !!v &&
    Array.isArray(v.templates) &&
    Array.isArray(v.diagnostics) &&
    Array.isArray(v.notes) &&
    typeof v.version === 'string' &&
    (v.failed === undefined || typeof v.failed === 'string')
  );
}

export function storedOf(evaluation: Evaluation, version: string): Stored {
  return {
    templates: evaluation.templates,
    diagnostics: evaluation.diagnostics,
    notes: evaluation.notes,
    version,
    ...(evaluation.failed ? { failed: evaluation.failed } : {}),
  };
}
