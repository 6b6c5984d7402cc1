import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { fillChecksums, type FillReport } from '../../src/fill/index.js';
import { CORPUS, aibgen, tempDir } from '../helpers.js';
import { RAW_PREFIX, brokenJsonFiles, duplicateNameFiles, corpusFileForUrl, corpusFiles, fillInCandidates, layOutRawUrls, urlsNotInCorpus, verificationRows } from './corpus-index.js';

// aibgen's own Bicep reading, without the compiler (the compiler's route is tested in test/bicep/).
process.env.AIBGEN_BICEP = '/nonexistent/bicep';

const jsonFiles = [...corpusFiles('.json'), ...corpusFiles('.bicep')];
const broken = new Set(brokenJsonFiles());
const parseable = jsonFiles.filter((f) => !broken.has(f));
let layout: string;
let work: string;
const map = () => [`${RAW_PREFIX}=${layout}`];
const reports = new Map<string, FillReport>();

beforeAll(async () => {
  layout = await tempDir('aibgen-raw-');
  work = await tempDir('aibgen-corpus-');
  // First pass without maps: the URIs each template names (Bicep interpolations resolved).
  const urls: string[] = [];
  for (const file of parseable) urls.push(...(await fillChecksums(join(CORPUS, file), { check: true })).sites.map((site) => site.uri));
  expect(await layOutRawUrls(layout, urls)).toBeGreaterThan(10);
  for (const file of parseable) reports.set(file, await fillChecksums(join(CORPUS, file), { maps: map(), check: true }));
});

describe('fill --check over every JSON and Bicep template in the corpus', () => {
  it('INDEX.md lists the broken files we expect, and they fail with file:line:col (exit 2)', async () => {
    expect(broken.size).toBe(4);
    for (const file of broken) {
      const result = await aibgen(['fill', '--check', join(CORPUS, file), '--map', map()[0] as string]);
      expect(result.exitCode, file).toBe(2);
      expect(result.stderr, file).toMatch(new RegExp(`${file.split('/')[1]?.replace(/[.*+?^${}()|[\]\\@]/g, '\\$&')}:\\d+:\\d+: `));
    }
  });

  it('runs over all parseable files in one CLI call without crashing', async () => {
    const result = await aibgen(['fill', '--check', '--json', ...parseable.map((f) => join(CORPUS, f)), '--map', map()[0] as string]);
    expect([0, 1]).toContain(result.exitCode);
    expect(result.stderr).not.toContain('internal error');
    const json = JSON.parse(result.stdout) as { files: unknown[] };
    expect(json.files).toHaveLength(parseable.length);
  });

  it('reports exactly what the verification table records, the fill-in candidates, and the URLs missing from the corpus', () => {
    const rows = verificationRows();
    const seenRows = new Set<(typeof rows)[number]>();
    const candidates = fillInCandidates();
    const seenCandidates = new Set<string>();
    // INDEX.md lists full URLs, and a base URL (ending in /) that a Bicep var holds.
    const missingUrls = urlsNotInCorpus();
    const notInCorpus = (uri: string) => missingUrls.some((u) => uri === u || (u.endsWith('/') && uri.startsWith(u)));
    let literal = 0;
    for (const [file, report] of reports) {
      for (const site of report.sites) {
        const where = `${file} ${site.pointer} ${site.uri}`;
        const corpusFile = corpusFileForUrl(site.uri);
        if (site.actual !== undefined && /^[0-9a-fA-F]{64}$/.test(site.actual)) {
          literal++;
          const row = rows.find((r) => r.template === file && r.checksum === site.actual && r.script === corpusFile);
          expect(row, where).toBeDefined();
          seenRows.add(row!);
          expect(site.status, where).toBe(row!.verdict);
        } else if (corpusFile) {
          expect(site.status, where).toBe('missing');
          expect(candidates.some((c) => c.template === file && c.script === corpusFile), where).toBe(true);
          seenCandidates.add(`${file} ${corpusFile}`);
        } else if (site.uri.startsWith(RAW_PREFIX)) {
          expect(site.status, where).toBe('unreadable');
          expect(notInCorpus(site.uri), where).toBe(true);
        } else {
          expect(site.status, where).toBe('skipped');
        }
      }
    }
    expect(literal).toBe(rows.length);
    expect(seenRows.size).toBe(rows.length);
    // A candidate in a file that does not parse (GoldenRHELImage@5bd6da2 starts with stray text) cannot be filled.
    const parseableCandidates = candidates.filter((c) => !broken.has(c.template));
    expect(parseableCandidates.filter((c) => !seenCandidates.has(`${c.template} ${c.script}`))).toEqual([]);
    // The verdicts INDEX.md records beyond plain matches are all seen: one mismatch, two uppercase values.
    const verdicts = [...reports.values()].flatMap((r) => r.sites.map((site) => site.status));
    expect(verdicts.filter((v) => v === 'mismatch')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'uppercase')).toHaveLength(2);
  });
});

describe('duplicate customizer names', () => {
  it('are reported in exactly the files INDEX.md lists', () => {
    const found = [...reports].filter(([, report]) => report.duplicateNames.length > 0).map(([file]) => file).sort();
    expect(found).toEqual(duplicateNameFiles());
    const be68 = reports.get('kkamegawa__windowsjpimagebuilder/images__windows2022image@be68e48.bicep');
    expect(be68?.duplicateNames).toEqual([{ templateName: 'ws2022ImageTemplate', name: 'InstallLanguagePack', positions: [{ line: 61, column: 7 }, { line: 72, column: 7 }] }]);
  });
});

describe('fill over every JSON and Bicep template in the corpus (on copies)', () => {
  it('changes only sha256Checksum values, is idempotent, and refuses templates with unreachable files', async () => {
    let filledFiles = 0;
    for (const file of parseable) {
      const copy = join(work, file.replace('/', '__'));
      await copyFile(join(CORPUS, file), copy);
      const before = await readFile(copy, 'utf8');
      const unreadable = reports.get(file)?.sites.some((s) => s.status === 'unreadable');
      if (unreadable) {
        await expect(fillChecksums(copy, { maps: map() })).rejects.toThrow(/could not be hashed; nothing was written/);
        expect(await readFile(copy, 'utf8')).toBe(before);
        continue;
      }
      const report = await fillChecksums(copy, { maps: map() });
      const after = await readFile(copy, 'utf8');
      if (report.changed) filledFiles++;
      if (file.endsWith('.json')) {
        expect(stripChecksums(parse(after, [], { allowTrailingComma: true }))).toEqual(stripChecksums(parse(before, [], { allowTrailingComma: true })));
      }
      expectOnlyChecksumLinesDiffer(before, after, file);
      const again = await fillChecksums(copy, { maps: map() });
      expect(again.changed, file).toBe(false);
      expect(await readFile(copy, 'utf8')).toBe(after);
      for (const site of again.sites) expect(['ok', 'skipped'], `${file} ${site.pointer}`).toContain(site.status);
    }
    expect(filledFiles).toBeGreaterThan(5);
  });
});

function stripChecksums(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripChecksums);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'sha256Checksum').map(([k, v]) => [k, stripChecksums(v)]));
  }
  return value;
}

/** Lines other than sha256Checksum lines are identical, except a comma added after a URI that used to be last. */
function expectOnlyChecksumLinesDiffer(before: string, after: string, file: string): void {
  const keep = (text: string) => text.split('\n').filter((l) => !/("sha256Checksum"|\bsha256Checksum:)/.test(l));
  const a = keep(before);
  const b = keep(after);
  expect(b.length, file).toBe(a.length);
  b.forEach((line, i) => {
    const old = a[i] as string;
    if (line === old) return;
    const oldBody = old.replace(/\r$/, '');
    expect(line.replace(/\r$/, ''), `${file} line ${i + 1}`).toBe(`${oldBody},`);
    expect(old, file).toMatch(/"(scriptUri|sourceUri)"/); // only JSON adds a comma
    expect(line.endsWith('\r'), file).toBe(old.endsWith('\r'));
  });
}
