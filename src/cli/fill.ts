import { AibgenError, UsageError } from '../errors.js';
import { resolve } from 'node:path';
import type { CompilerSession } from '../bicep/compiler/index.js';
import {
  compileForFill,
  fillChecksums,
  isProblem,
  passedParamsByFile,
  type CompiledBicep,
  type FillOptions,
  type FillReport,
  type SiteReport,
} from '../fill/index.js';
import type { Output } from './output.js';
import type { FillCliOptions } from './commands/fill.js';

function where(report: FillReport, site: SiteReport): string {
  return `${report.file}:${site.line}:${site.column}  ${site.template}/${site.customizer}`;
}

export async function fillCommand(files: string[], options: FillCliOptions, io: Output): Promise<number> {
  if (files.length === 0) throw new UsageError('no template given', ['usage: aibgen fill <template> --map <uriPrefix>=<dir>']);
  if (options.output && files.length > 1) throw new UsageError('-o writes one file; give one template with it');
  const fillOptions: FillOptions = {
    maps: options.map ?? [],
    fetch: options.fetch,
    fetchOptions: { timeoutMs: (options.fetchTimeout ?? 30) * 1000, maxBytes: options.fetchMaxSize },
    check: options.check,
    strict: options.strict,
    output: options.output,
  };
  // Which Bicep params the given files pass to each other: a default is used only where none does.
  const hasBicep = files.some((f) => /\.bicep(param)?$/i.test(f));
  const passed = hasBicep ? await passedParamsByFile(files) : new Map<string, never>();
  const bicepNotes: string[] = [];
  let compiled: CompiledBicep | undefined;
  let session: CompilerSession | undefined;
  if (hasBicep) {
    // The real compiler evaluates the deployment where it is installed; aibgen's own reading otherwise.
    const { CompilerSession, COMPILER_HINT } = await import('../bicep/compiler/index.js');
    const compiler = new CompilerSession();
    session = compiler;
    if (!compiler.available) bicepNotes.push(`Bicep was read by aibgen's own evaluator, which skips what it cannot evaluate; ${COMPILER_HINT}`);
  }
  const reports: FillReport[] = [];
  // Every file is reported: one that cannot be read or parsed is an error of its own, and the others are still filled or checked.
  const failed: { file: string; error: AibgenError }[] = [];
  try {
    if (session?.available) {
      compiled = await compileForFill(files, session);
      bicepNotes.push(...compiled.notes);
    }
    for (const file of files) {
      try {
        reports.push(await fillChecksums(file, { ...fillOptions, passedParams: passed.get(resolve(file)), compiled }));
      } catch (error) {
        if (!(error instanceof AibgenError) || error.code === 'E_USAGE' || files.length === 1) throw error;
        failed.push({ file, error });
        if (!options.json) {
          io.err(`aibgen: ${error.message}\n`);
          for (const detail of error.details) io.err(`  ${detail}\n`);
        }
      }
    }
  } finally {
    session?.dispose();
  }
  const problems = reports.flatMap((r) => r.sites.filter((s) => isProblem(s, options.strict)));
  if (!options.json) for (const note of bicepNotes) io.err(`aibgen: note: ${note}\n`);
  if (options.json) {
    io.out(
      `${JSON.stringify(
        {
          files: [
            ...reports.map((r) => ({
              file: r.file,
              changed: r.changed,
              written: r.written ?? null,
              customizers: r.sites.map((s) => ({
                template: s.template,
                pointer: s.pointer,
                name: s.name ?? null,
                type: s.type,
                uri: s.uri,
                localPath: s.localPath ?? null,
                fetched: s.fetched,
                status: s.status,
                expected: s.expected ?? null,
                actual: s.actual ?? null,
                reason: s.reason ?? null,
                note: s.note ?? null,
                line: s.line,
                column: s.column,
              })),
              duplicateNames: r.duplicateNames,
              error: null,
            })),
            ...failed.map((f) => ({ file: f.file, error: { code: f.error.code, message: f.error.message, details: f.error.details } })),
          ],
          problems: problems.length,
          notes: bicepNotes,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    for (const report of reports) printText(report, options, io);
  }
  if (failed.length > 0) return 2;
  if (options.check) {
    if (problems.length > 0) return 1;
    // A check that checked nothing is not a pass.
    const checked = reports.reduce((n, r) => n + r.sites.filter((s) => s.status !== 'skipped').length, 0);
    if (checked === 0 && !options.allowEmpty) {
      const sites = reports.reduce((n, r) => n + r.sites.length, 0);
      io.err(
        `aibgen: nothing was checked: ${sites === 0 ? 'no scriptUri or sourceUri step was found' : `all ${sites} checksum site(s) were skipped`}; map their URIs with --map or use --fetch (pass --allow-empty if that is expected)\n`,
      );
      return 2;
    }
    return 0;
  }
  return 0;
}

function printText(report: FillReport, options: FillCliOptions, io: Output): void {
  for (const dup of report.duplicateNames) {
    const [first, ...rest] = dup.positions;
    if (!first) continue;
    io.err(
      `${report.file}:${first.line}:${first.column}  warning  ${dup.templateName}: ${dup.positions.length} customizers are named "${dup.name}" (also at line ${rest.map((p) => p.line).join(', ')}); give each a unique name\n`,
    );
  }
  for (const site of report.sites) {
    if (site.status === 'skipped') io.err(`${where(report, site)}  skipped: ${site.reason}  (${site.uri})\n`);
    else if (site.note) io.err(`${where(report, site)}  note: ${site.note}\n`);
  }
  const count = (status: SiteReport['status']) => report.sites.filter((s) => s.status === status).length;
  if (options.check) {
    for (const site of report.sites) {
      if (!isProblem(site, options.strict) || site.status === 'skipped') continue;
      if (site.status === 'unreadable') {
        io.out(`${where(report, site)}  ${site.reason}\n`);
        continue;
      }
      if (site.fetched && site.status === 'mismatch') {
        io.out(
          `${where(report, site)}  the served file differs from the template's checksum: it is served with ${site.expected}, the template says ${site.actual}\n`,
        );
        io.err(
          `${where(report, site)}  warning: aibgen fill --fetch would pin the bytes served now; check the served file is the one you mean before you do (a changed blob at the same URI is what AIB refuses)\n`,
        );
        continue;
      }
      io.out(`${where(report, site)}  expected ${site.expected} got ${site.actual === undefined ? 'missing' : site.actual === '' ? '""' : site.actual}\n`);
    }
    const bad = report.sites.filter((s) => isProblem(s, options.strict)).length;
    io.err(`${report.file}: ${report.sites.length} checksum site(s): ${count('ok')} right, ${bad} to fix, ${count('skipped')} skipped\n`);
    return;
  }
  for (const site of report.sites) {
    if (site.status === 'ok' || site.status === 'skipped') continue;
    const what = site.status === 'missing' && site.actual === undefined ? 'inserted' : `replaced ${site.actual === '' ? '""' : site.actual} with`;
    io.out(`${where(report, site)}  ${what} ${site.expected}\n`);
  }
  const fixed = report.sites.filter((s) => isProblem(s)).length;
  const target = report.written ?? report.file;
  io.err(
    `${target}: ${fixed === 0 ? 'already right, unchanged' : `${fixed} checksum(s) written`}; ${count('ok')} already right, ${count('skipped')} skipped\n`,
  );
}
