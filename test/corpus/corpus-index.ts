/**
 * Reads the corpus INDEX.md (test/corpus/snapshot): the sha256Checksum verification table, the fill-in
 * candidates, and the URLs that are not in the corpus. Lays corpus scripts out the way their
 * raw.githubusercontent.com URLs name them, so `--map https://raw.githubusercontent.com/=<dir>`
 * resolves each URL to the corpus copy.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CORPUS } from '../helpers.js';

export const RAW_PREFIX = 'https://raw.githubusercontent.com/';

export type Verdict = 'ok' | 'mismatch' | 'uppercase';

export interface VerificationRow {
  template: string;
  checksum: string;
  script: string;
  verdict: Verdict;
}

const index = readFileSync(join(CORPUS, 'INDEX.md'), 'utf8');

export function verificationRows(): VerificationRow[] {
  const section = index.slice(index.indexOf('## sha256Checksum verification'));
  const rows: VerificationRow[] = [];
  for (const line of section.split('\n')) {
    const m = /^\| `([^`]+)` \| `([0-9a-fA-F]{64})`(?: \([^)]*\))? \| `([^`]+)` \| `[0-9a-f]{64}` \| ([^|]+) \|/.exec(line);
    if (!m) continue;
    const result = (m[4] ?? '').trim();
    const verdict: Verdict = result.startsWith('MISMATCH') ? 'mismatch' : result.startsWith('MATCH (case-insensitive') ? 'uppercase' : 'ok';
    rows.push({ template: m[1] as string, checksum: m[2] as string, script: m[3] as string, verdict });
  }
  return rows;
}

/** Template → script pairs listed as "fill-in candidates" (URL in the corpus, no checksum). */
export function fillInCandidates(): { template: string; script: string }[] {
  const section = index.slice(index.indexOf('## Scripts referenced by URL that are in the corpus but have no checksum'));
  const end = section.indexOf('\n## ', 5);
  return [...section.slice(0, end === -1 ? undefined : end).matchAll(/^- `([^`]+)` → `([^`]+)`/gm)].map((m) => ({ template: m[1] as string, script: m[2] as string }));
}

export function urlsNotInCorpus(): string[] {
  const start = index.indexOf('Referenced by URL but **not** in the corpus:');
  const paragraph = index.slice(start, index.indexOf('\n', start));
  return [...paragraph.matchAll(/`(https:[^`]+)`/g)].map((m) => m[1] as string);
}

/** The corpus copy a raw.githubusercontent.com URL names, if the corpus has it. */
export function corpusFileForUrl(url: string): string | undefined {
  if (!url.startsWith(RAW_PREFIX)) return undefined;
  const [owner, repo, _ref, ...path] = url.slice(RAW_PREFIX.length).split('?')[0]!.split('/');
  if (!owner || !repo || path.length === 0) return undefined;
  // danielsollondon/azvmimagebuilder has no licence; INDEX.md compares against Azure's byte-identical copies.
  const repoDir = owner === 'danielsollondon' && repo === 'azvmimagebuilder' ? 'Azure__azvmimagebuilder' : `${owner}__${repo}`;
  const name = `${repoDir}/${path.join('__')}`;
  return existsSync(join(CORPUS, name)) ? name : undefined;
}

/** Copies the corpus file behind every URL into `dir` at the URL's path; returns how many. */
export async function layOutRawUrls(dir: string, urls: Iterable<string>): Promise<number> {
  let count = 0;
  for (const url of new Set(urls)) {
    const file = corpusFileForUrl(url);
    if (!file) continue;
    const target = join(dir, url.slice(RAW_PREFIX.length).split('?')[0] as string);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(CORPUS, file), target);
    count++;
  }
  return count;
}

export function corpusFiles(extension: string): string[] {
  const out: string[] = [];
  for (const repo of readdirSync(CORPUS, { withFileTypes: true })) {
    if (!repo.isDirectory()) continue;
    for (const file of readdirSync(join(CORPUS, repo.name))) if (file.toLowerCase().endsWith(extension)) out.push(`${repo.name}/${file}`);
  }
  return out.sort();
}

/** Files INDEX.md records as not parsing, even leniently. */
export function brokenJsonFiles(): string[] {
  return [...index.matchAll(/^\| \d+ \| `([^`]+)` \|[^\n]*\| broken-JSON/gm)].map((m) => m[1] as string);
}

/** Templates INDEX.md lists under "Duplicate customizer names within one customize array". */
export function duplicateNameFiles(): string[] {
  const start = index.indexOf('Duplicate customizer names within one `customize` array:');
  const section = index.slice(start, index.indexOf('\n\n', index.indexOf('\n- ', start)));
  return [...section.matchAll(/^- `([^`]+)`/gm)].map((m) => m[1] as string).sort();
}
