import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';

/** `--map <uriPrefix>=<dir>`: URIs starting with the prefix are files under dir. */
export interface UriMapping {
  prefix: string;
  dir: string;
}

export function parseMapping(spec: string, baseDir = process.cwd()): UriMapping {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) {
    throw new UsageError(`--map "${spec}" is not <uriPrefix>=<dir>`, ['example: --map https://contoso.blob.core.windows.net/scripts/=./scripts']);
  }
  return { prefix: spec.slice(0, eq), dir: resolve(baseDir, spec.slice(eq + 1)) };
}

export type UriKind =
  | { kind: 'expression' }
  | { kind: 'placeholder' }
  | { kind: 'empty' }
  | { kind: 'literal' };

/** ARM expressions ("[concat(...)]", and "[[...]" escaped ones meant for a later deployment) and "<placeholders>" are not URIs. */
export function classifyUri(uri: string): UriKind {
  const trimmed = uri.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (trimmed.startsWith('[') && trimmed.endsWith(']')) return { kind: 'expression' };
  if (/<[^<>]*>/.test(trimmed)) return { kind: 'placeholder' };
  return { kind: 'literal' };
}

export type Resolution =
  | { status: 'local'; path: string; mapping: UriMapping }
  | { status: 'unmapped' }
  | { status: 'refused'; reason: string };

/**
 * Resolves a URI through the longest matching prefix. The rest of the URI is a relative path
 * under the mapped folder: the query (a SAS token, say) and fragment are dropped, each segment
 * is percent-decoded, and a path that would leave the folder is refused.
 */
export function resolveUri(uri: string, mappings: readonly UriMapping[]): Resolution {
  let best: UriMapping | undefined;
  for (const mapping of mappings) {
    if (uri.startsWith(mapping.prefix) && (!best || mapping.prefix.length > best.prefix.length)) best = mapping;
  }
  if (!best) return { status: 'unmapped' };
  let rest = uri.slice(best.prefix.length);
  rest = rest.split('#')[0] ?? '';
  rest = rest.split('?')[0] ?? '';
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
  const back = relative(best.dir, path);
  if (back === '' || back.startsWith('..') || isAbsolute(back)) {
    return { status: 'refused', reason: `"${rest}" leads outside ${best.dir}` };
  }
  return { status: 'local', path, mapping: best };
}
