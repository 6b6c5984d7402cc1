import { extname } from 'node:path';
import { hashFile } from '../checksum/index.js';
import { AibgenError, CheckFailedError, InputError, describeFsError } from '../errors.js';
import { parseJsonDocument, readTemplateText } from '../template/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { mapLimit } from '../util/concurrency.js';
import type { TextEdit } from '../util/text-position.js';
import { fetchAndHash, type FetchOptions } from './fetch.js';
import { jsonSiteDocument } from './json-sites.js';
import type { ChecksumSite, Position, SiteDocument } from './sites.js';
import type { PassedParams } from './bicep-sites.js';
import type { CompiledBicep } from './bicep-compiled.js';
import { classifyUri, parseMapping, resolveUri, type UriMapping } from './uri-map.js';

export interface FillOptions {
  /** `<uriPrefix>=<dir>` specs or parsed mappings. */
  maps?: readonly (string | UriMapping)[];
  /** Download http(s) URIs that no mapping matches. */
  fetch?: boolean;
  fetchOptions?: FetchOptions;
  /** Report only; write nothing. */
  check?: boolean;
  /** Write here instead of in place. */
  output?: string;
  /** Treat every skipped site as a problem: nothing is written and `CheckFailedError` is thrown (fill), or it counts as a problem (check). */
  strict?: boolean;
  /** Files hashed or fetched at once. */
  concurrency?: number;
  /** For Bicep: the params of this file that other files pass (module params, .bicepparam); see passedParamsByFile. */
  passedParams?: PassedParams;
  /** For Bicep: the Bicep compiler's evaluation of the given files (compileForFill); its values win over aibgen's own reading. */
  compiled?: CompiledBicep;
}

export type SiteStatus = 'ok' | 'missing' | 'mismatch' | 'uppercase' | 'malformed' | 'unreadable' | 'skipped';

export interface SiteReport {
  template: string;
  customizer: string;
  name: string | undefined;
  type: string;
  pointer: string;
  uriProperty: 'scriptUri' | 'sourceUri';
  uri: string;
  localPath: string | undefined;
  fetched: boolean;
  status: SiteStatus;
  expected: string | undefined;
  /** The value in the file; undefined when the property is missing. */
  actual: string | undefined;
  reason: string | undefined;
  /** Where the checksum is (or where it would be inserted: the URI). */
  line: number;
  column: number;
  /** Something to know about the value used (a Bicep param default a deployment may override). */
  note: string | undefined;
}

export interface FillReport {
  file: string;
  sites: SiteReport[];
  /** Whether the file's text differs after filling (in check mode: would differ). */
  changed: boolean;
  /** The path written, if anything was. */
  written: string | undefined;
  duplicateNames: SiteDocument['duplicateNames'];
}

const PROBLEMS: ReadonlySet<SiteStatus> = new Set(['missing', 'mismatch', 'uppercase', 'malformed', 'unreadable']);

export function isProblem(site: SiteReport, strict = false): boolean {
  return PROBLEMS.has(site.status) || (strict && site.status === 'skipped');
}

async function loadSites(file: string, options: FillOptions): Promise<SiteDocument> {
  const text = await readTemplateText(file);
  const extension = extname(file).toLowerCase();
  if (extension === '.bicep' || extension === '.bicepparam') {
    // Loaded only for Bicep files; JSON templates never pay for the Bicep scanner.
    const { bicepSiteDocument } = await import('./bicep-sites.js');
    const doc = bicepSiteDocument(file, text, options.passedParams);
    return options.compiled ? options.compiled.apply(file, doc) : doc;
  }
  return jsonSiteDocument(parseJsonDocument(file, text));
}

type Source = { kind: 'local'; path: string } | { kind: 'fetch'; url: string } | { kind: 'skip'; reason: string };

function sourceFor(site: ChecksumSite, mappings: readonly UriMapping[], fetch: boolean): Source {
  if (site.uri.kind === 'unresolved') return { kind: 'skip', reason: site.uri.reason };
  const uri = site.uri.value;
  const kind = classifyUri(uri).kind;
  if (kind === 'expression') return { kind: 'skip', reason: 'the URI is an ARM expression' };
  if (kind === 'placeholder') return { kind: 'skip', reason: 'the URI is a placeholder' };
  if (kind === 'empty') return { kind: 'skip', reason: 'the URI is empty' };
  const resolution = resolveUri(uri, mappings);
  if (resolution.status === 'local') return { kind: 'local', path: resolution.path };
  if (resolution.status === 'refused') return { kind: 'skip', reason: `refused: ${resolution.reason}` };
  if (fetch && /^https?:\/\//i.test(uri)) return { kind: 'fetch', url: uri };
  return { kind: 'skip', reason: mappings.length === 0 && !fetch ? 'no --map given (and no --fetch)' : 'no --map prefix matches the URI' };
}

/**
 * Computes every checksum a template (JSON, or Bicep by its .bicep extension) should carry and, unless `check` is set, writes the
 * corrected file atomically. Only `sha256Checksum` values change (or are inserted after the URI);
 * every other byte stays. Nothing is written when any file cannot be hashed.
 */
export async function fillChecksums(file: string, options: FillOptions = {}): Promise<FillReport> {
  const mappings = (options.maps ?? []).map((m) => (typeof m === 'string' ? parseMapping(m) : m));
  const doc = await loadSites(file, options);
  const sources = doc.sites.map((site) => sourceFor(site, mappings, options.fetch ?? false));

  // Hash each distinct file or URL once.
  const sourceKey = (source: Source): string | undefined =>
    source.kind === 'local' ? `l:${source.path}` : source.kind === 'fetch' ? `u:${source.url}` : undefined;
  const keys = [...new Set(sources.map(sourceKey).filter((k): k is string => k !== undefined))];
  const digests = new Map<string, { sha256: string } | { error: string }>();
  await mapLimit(keys, options.concurrency ?? 8, async (key) => {
    const target = key.slice(2);
    try {
      digests.set(key, key.startsWith('l:') ? await hashFile(target) : await fetchAndHash(target, options.fetchOptions));
    } catch (error) {
      digests.set(key, { error: error instanceof AibgenError ? error.message : `cannot read ${target}: ${describeFsError(error)}` });
    }
  });

  const edits: TextEdit[] = [];
  const sites = doc.sites.map((site, index): SiteReport => {
    const source = sources[index] as Source;
    const base = {
      template: site.templateName,
      customizer: site.customizerLabel,
      name: site.customizerName,
      type: site.type,
      pointer: site.pointer,
      uriProperty: site.uriProperty,
      uri: site.uri.kind === 'literal' ? site.uri.value : site.uri.text,
      localPath: source.kind === 'local' ? source.path : undefined,
      fetched: source.kind === 'fetch',
      note: site.note,
      actual: site.checksum ? (site.checksum.literal ?? site.checksum.text) : undefined,
      ...position(site.checksum?.position ?? site.uriPosition),
    };
    if (source.kind === 'skip') return { ...base, status: 'skipped', expected: undefined, reason: source.reason };
    const digest = digests.get(sourceKey(source) as string);
    if (!digest || 'error' in digest) return { ...base, status: 'unreadable', expected: undefined, reason: digest?.error ?? 'not hashed' };
    const expected = digest.sha256;
    if (site.checksum && site.checksum.literal === undefined) {
      return { ...base, status: 'skipped', expected, reason: 'sha256Checksum is an expression, not a literal; aibgen leaves it alone' };
    }
    const actual = site.checksum?.literal;
    const status: SiteStatus =
      actual === undefined || actual === ''
        ? 'missing'
        : actual === expected
          ? 'ok'
          : actual.toLowerCase() === expected
            ? 'uppercase'
            : /^[0-9a-fA-F]{64}$/.test(actual)
              ? 'mismatch'
              : 'malformed';
    if (status !== 'ok') edits.push(...site.edit(expected));
    return { ...base, status, expected, reason: undefined };
  });

  const changed = edits.length > 0;
  let written: string | undefined;
  const unreadable = sites.filter((s) => s.status === 'unreadable');
  if (unreadable.length > 0 && !options.check) {
    throw new InputError(
      `${file}: ${unreadable.length === 1 ? 'a referenced file' : `${unreadable.length} referenced files`} could not be hashed; nothing was written`,
      {
        details: [
          ...unreadable.map((s) => `${file}:${s.line}:${s.column}  ${s.template}/${s.customizer}  ${s.reason}`),
          'fix the URI, or the --map folder it is looked up under',
        ],
      },
    );
  }
  const skipped = sites.filter((s) => s.status === 'skipped');
  if (options.strict && !options.check && skipped.length > 0) {
    throw new CheckFailedError(`${file}: ${skipped.length} checksum site(s) skipped under --strict; nothing was written`, [
      ...skipped.map((s) => `${file}:${s.line}:${s.column}  ${s.template}/${s.customizer}  ${s.reason ?? 'skipped'}`),
      'map their URI prefixes with --map, use --fetch, or drop --strict',
    ]);
  }
  if (!options.check) {
    const target = options.output ?? file;
    if (changed || target !== file) {
      await writeFileAtomic(target, doc.render(edits));
      written = target;
    }
  }
  return { file, sites, changed, written, duplicateNames: doc.duplicateNames };
}

function position(p: Position): Position {
  return { line: p.line, column: p.column };
}
