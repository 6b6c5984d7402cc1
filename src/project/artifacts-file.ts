import { readFile } from 'node:fs/promises';
import { InputError, isNodeError } from '../errors.js';
import { getNodeValue } from 'jsonc-parser';
import { parseJsonDocument } from '../template/index.js';

/**
 * artifacts.json: what build made, read and written here only. Build writes it; publish uploads
 * exactly what it lists, so every record is checked field by field where it is read, and a file
 * that is not what build writes is refused with the place and the fix.
 */

export type ArtifactKind = 'script' | 'payload' | 'file' | 'deprovision';
const KINDS: readonly ArtifactKind[] = ['script', 'payload', 'file', 'deprovision'];
const LISTS = ['customize', 'inVMValidations'] as const;

/** What artifacts.json records of each artifact. */
export interface ArtifactRecord {
  /** The step's name. */
  name: string;
  /** `customize` or `inVMValidations`. */
  list: (typeof LISTS)[number];
  /** Path relative to the project folder, forward slashes. */
  file: string;
  uri: string;
  sha256: string;
  size: number;
  kind: ArtifactKind;
  /** Digest of everything that decides the artifact's bytes (see manifest.ts). */
  inputs: string;
}

const FIELDS: Record<keyof ArtifactRecord, (value: unknown) => string | undefined> = {
  name: (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty string'),
  list: (v) => (LISTS.includes(v as (typeof LISTS)[number]) ? undefined : `one of ${LISTS.join(', ')}`),
  file: (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty string'),
  uri: (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty string'),
  sha256: (v) => (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? undefined : '64 lowercase hex digits'),
  size: (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? undefined : 'a whole number of bytes'),
  kind: (v) => (KINDS.includes(v as ArtifactKind) ? undefined : `one of ${KINDS.join(', ')}`),
  inputs: (v) => (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? undefined : '64 lowercase hex digits'),
};

/** The records of an artifacts.json text, or the problems with it (JSON pointer, what is wrong). */
export function parseArtifactRecords(text: string, file: string): { records: ArtifactRecord[] } | { problems: string[] } {
  let value: unknown;
  try {
    value = getNodeValue(parseJsonDocument(file, text).root);
  } catch (error) {
    return { problems: [error instanceof Error ? error.message : String(error)] };
  }
  if (!Array.isArray(value)) return { problems: [`${file}: expected a list of artifacts, found ${value === null ? 'null' : typeof value}`] };
  const problems: string[] = [];
  const seenUris = new Map<string, number>();
  value.forEach((record: unknown, index) => {
    const at = `${file}: /${index}`;
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      problems.push(`${at}: expected an object`);
      return;
    }
    for (const key of Object.keys(record)) if (!(key in FIELDS)) problems.push(`${at}/${key}: not a field of artifacts.json`);
    for (const [key, check] of Object.entries(FIELDS)) {
      const problem = check((record as Record<string, unknown>)[key]);
      if (problem) problems.push(`${at}/${key}: expected ${problem}`);
    }
    const uri = (record as { uri?: unknown }).uri;
    if (typeof uri === 'string') {
      const first = seenUris.get(uri);
      if (first !== undefined) problems.push(`${at}/uri: the same URI as /${first}: two artifacts cannot be uploaded to one blob`);
      else seenUris.set(uri, index);
    }
  });
  return problems.length > 0 ? { problems } : { records: value as ArtifactRecord[] };
}

/** Reads artifacts.json strictly (publish): a missing or malformed file is an InputError naming each problem. */
export async function readArtifactsFile(path: string, shown: string): Promise<ArtifactRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isNodeError(error) && error.code === 'ENOENT')
      throw new InputError(`${shown} does not exist: run aibgen build first`, { code: 'E_NOT_FOUND', cause: error });
    throw new InputError(`cannot read ${shown}`, { cause: error });
  }
  const parsed = parseArtifactRecords(text, shown);
  if ('problems' in parsed)
    throw new InputError(`${shown} is not what aibgen build writes; nothing was uploaded`, {
      details: [...parsed.problems, 'run aibgen build to write it again'],
    });
  return parsed.records;
}

/** Reads the previous build's records leniently (build): anything unusable means every step is built again. */
export async function readPreviousRecords(path: string): Promise<ArtifactRecord[]> {
  try {
    const parsed = parseArtifactRecords(await readFile(path, 'utf8'), path);
    return 'records' in parsed ? parsed.records : [];
  } catch {
    return [];
  }
}

export function formatArtifactsFile(records: readonly ArtifactRecord[]): string {
  return `${JSON.stringify(records, null, 2)}\n`;
}
