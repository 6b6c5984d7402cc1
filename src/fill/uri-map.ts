import { existsSync, statSync } from 'node:fs';
import { realPathOf } from '../util/real-path.js';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';

/** `--map <uriPrefix>=<dir>`: URIs under the prefix are files under dir. */
export interface UriMapping {
  /** The prefix as given. */
  prefix: string;
  /** The prefix without its query and fragment, which is what URIs are matched against. */
  path: string;
  dir: string;
}

function withoutQuery(uri: string): string {
  return uri.split('#')[0]?.split('?')[0] ?? '';
}

/**
 * Splits `<uriPrefix>=<dir>`. A prefix may itself hold `=` (a query such as a SAS token), so the
 * split is at the last `=` whose right side names an existing folder, else at the last `=`.
 */
export function parseMapping(spec: string, baseDir = process.cwd()): UriMapping {
  const candidates: number[] = [];
  for (let i = spec.indexOf('='); i !== -1; i = spec.indexOf('=', i + 1)) if (i > 0 && i < spec.length - 1) candidates.push(i);
  if (candidates.length === 0) {
    throw new UsageError(`--map "${spec}" is not <uriPrefix>=<dir>`, ['example: --map https://contoso.blob.core.windows.net/scripts/=./scripts']);
  }
  const isFolder = (path: string) => existsSync(path) && statSync(path).isDirectory();
  const last = candidates[candidates.length - 1] as number;
  const at = [...candidates].reverse().find((i) => isFolder(resolve(baseDir, spec.slice(i + 1)))) ?? last;
  const prefix = spec.slice(0, at);
  return { prefix, path: withoutQuery(prefix), dir: resolve(baseDir, spec.slice(at + 1)) };
}

export type UriKind = { kind: 'expression' } | { kind: 'placeholder' } | { kind: 'empty' } | { kind: 'literal' };

/** ARM expressions ("[concat(...)]", and "[[...]" escaped ones meant for a later deployment) and "<placeholders>" are not URIs. */
export function classifyUri(uri: string): UriKind {
  const trimmed = uri.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (trimmed.startsWith('[') && trimmed.endsWith(']')) return { kind: 'expression' };
  if (/<[^<>]*>/.test(trimmed)) return { kind: 'placeholder' };
  return { kind: 'literal' };
}

export type Resolution = { status: 'local'; path: string; mapping: UriMapping } | { status: 'unmapped' } | { status: 'refused'; reason: string };

/** Whether `uriPath` lies under `prefixPath`: equal up to the prefix, then at a path boundary. */
function underPrefix(uriPath: string, prefixPath: string): boolean {
  if (!uriPath.startsWith(prefixPath)) return false;
  if (prefixPath.endsWith('/') || uriPath.length === prefixPath.length) return true;
  return uriPath[prefixPath.length] === '/';
}

/**
 * Resolves a URI through the longest matching prefix. Prefix and URI are compared without their
 * queries and fragments, and only at a path boundary (`https://h/s` is not a prefix of
 * `https://h/sX/a.sh`). The rest of the path is a relative path under the mapped folder, each
 * segment percent-decoded; a path that would leave the folder, or a symlink in it that resolves
 * outside, is refused.
 */
export function resolveUri(uri: string, mappings: readonly UriMapping[]): Resolution {
  const uriPath = withoutQuery(uri);
  let best: UriMapping | undefined;
  for (const mapping of mappings) {
    if (underPrefix(uriPath, mapping.path) && (!best || mapping.path.length > best.path.length)) best = mapping;
  }
  if (!best) return { status: 'unmapped' };
  const rest = uriPath.slice(best.path.length);
  let segments: string[];
  try {
    segments = rest.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    return { status: 'refused', reason: `the path "${rest}" has invalid percent-encoding` };
  }
  if (segments.some((s) => s.includes('/') || s.includes('\\') || s.includes('\0'))) {
    return { status: 'refused', reason: `the path "${rest}" encodes a path separator or NUL` };
  }
  const relativePath = segments.filter((s) => s !== '' && s !== '.').join(sep);
  if (relativePath === '') return { status: 'refused', reason: `the URI names the mapped folder itself, not a file` };
  const path = join(best.dir, relativePath);
  if (!inside(best.dir, path)) return { status: 'refused', reason: `"${rest}" leads outside ${best.dir}` };
  // Symlinks are followed by the read: the real path must stay inside the folder too.
  const real = realPathOf(path);
  if (!inside(realPathOf(best.dir), real)) return { status: 'refused', reason: `"${rest}" is a symlink that leads outside ${best.dir} (to ${real})` };
  return { status: 'local', path, mapping: best };
}

function inside(parent: string, child: string): boolean {
  const back = relative(parent, child);
  return back !== '' && !back.startsWith(`..${sep}`) && back !== '..' && !isAbsolute(back);
}
