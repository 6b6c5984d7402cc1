import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { hashFile } from '../checksum/index.js';
import { UnsafeInputError } from '../errors.js';
import { artifactUri, type ArtifactRecord, type Project } from '../project/index.js';
import { redact } from '../util/redact.js';

/**
 * Before anything is uploaded, every record of artifacts.json is proven to be what build made: its
 * file is a regular file directly in the project's artifacts folder (links followed) with the listed
 * bytes, and its URI is the one build gives that file, under the project's baseUri, with nothing
 * that could make it land elsewhere (dot segments, encoded separators or dots, control or
 * bidirectional characters). One bad record refuses the whole publish.
 */

const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** What is wrong with a blob URI's form, or undefined. */
export function uriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'it is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `it is not http(s) but ${url.protocol}`;
  // The path as written, before URL parsing removes dot segments.
  const rawPath = uri.slice(uri.indexOf(url.host) + url.host.length).split(/[?#]/)[0] ?? '';
  if (/(^|\/)\.{1,2}(\/|$)/.test(rawPath)) return 'its path has a . or .. segment';
  if (/%2e|%2f|%5c/i.test(rawPath) || rawPath.includes('\\')) return 'its path has an encoded dot or separator, or a backslash';
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return 'its path has a malformed percent-escape';
  }
  if (CONTROL_OR_BIDI.test(decoded) || CONTROL_OR_BIDI.test(uri)) return 'it has a control or bidirectional-override character';
  return undefined;
}

export interface CheckedRecord {
  record: ArtifactRecord;
  /** The real path of the artifact's bytes. */
  path: string;
}

/** Checks every record; throws UnsafeInputError listing every problem, so nothing is uploaded. */
export async function checkRecords(project: Project, records: readonly ArtifactRecord[], shown: string): Promise<CheckedRecord[]> {
  const problems: string[] = [];
  const checked: CheckedRecord[] = [];
  let artifactsReal: string | undefined;
  try {
    artifactsReal = await realpath(project.artifacts.path);
  } catch {
    problems.push(`the artifacts folder ${project.artifacts.given} does not exist: run aibgen build`);
  }
  const base = new URL(`${project.baseUri.base}x`);
  for (const [index, record] of records.entries()) {
    const at = `${shown}: /${index} (${record.name})`;
    const fileName = basename(record.file);
    if (CONTROL_OR_BIDI.test(record.file)) {
      problems.push(`${at}/file: the name has a control or bidirectional-override character`);
      continue;
    }
    // The file: a regular file directly in the artifacts folder, whatever links lead there.
    const listed = join(project.dir, record.file);
    let real: string | undefined;
    try {
      real = await realpath(listed);
    } catch {
      problems.push(`${at}/file: ${record.file} does not exist; run aibgen build`);
    }
    if (real !== undefined && artifactsReal !== undefined) {
      if (dirname(real) !== artifactsReal || !real.startsWith(artifactsReal + sep)) {
        problems.push(`${at}/file: ${record.file} is not a file aibgen build made: it resolves to ${real}, outside ${project.artifacts.given}`);
        real = undefined;
      } else if (!(await stat(real)).isFile()) {
        problems.push(`${at}/file: ${record.file} is not a regular file`);
        real = undefined;
      }
    }
    if (real !== undefined) {
      const digest = await hashFile(real);
      if (digest.sha256 !== record.sha256 || digest.size !== record.size)
        problems.push(
          `${at}/file: ${record.file} has other bytes than artifacts.json lists (sha256 ${digest.sha256.slice(0, 12)}, ${digest.size} bytes; listed ${record.sha256.slice(0, 12)}, ${record.size} bytes); run aibgen build, then publish`,
        );
    }
    // The URI: exactly the one build gives this file, under baseUri.
    const problem = uriProblem(record.uri);
    if (problem) {
      problems.push(`${at}/uri: ${redact(record.uri)}: ${problem}`);
      continue;
    }
    const expected = artifactUri(project, fileName);
    const url = new URL(record.uri);
    if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname.slice(0, -1))) {
      problems.push(`${at}/uri: ${redact(record.uri)} is not under the project's baseUri ${redact(project.baseUri.base)}`);
      continue;
    }
    if (record.uri !== expected) {
      problems.push(`${at}/uri: ${redact(record.uri)} is not the URI build gives ${fileName} (${redact(expected)})`);
      continue;
    }
    if (real !== undefined && problems.length === 0) checked.push({ record, path: real });
  }
  if (problems.length > 0)
    throw new UnsafeInputError(`${shown} lists what aibgen build did not make; nothing was uploaded`, [...problems, 'run aibgen build to write it again']);
  return checked;
}
