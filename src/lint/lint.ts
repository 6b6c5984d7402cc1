import type { FileResult, Finding } from '../findings/index.js';
import { findPwsh, powershell, Scratch, shellcheck, shellSyntax } from './engines.js';
import { collect } from './sources.js';
import { textRules } from './text-rules.js';
import type { LintUnit } from './unit.js';

export interface LintOptions {
  /** How to read a script file named without .sh or .ps1. */
  os?: 'linux' | 'windows';
}

export interface LintReport {
  findings: Finding[];
  /** What could not be checked (a missing ShellCheck or pwsh), and how to fix that. */
  notes: string[];
}

/** Lints scripts already in memory (build uses this on what it produces): AIB rules, the shells' parsers, ShellCheck, PowerShell's parser. */
export async function lintUnits(units: readonly LintUnit[], options: { scratch?: string } = {}): Promise<LintReport> {
  const shell = units.filter((u) => u.language === 'shell');
  const ps = units.filter((u) => u.language === 'powershell');
  const astAvailable = ps.length > 0 && findPwsh() !== undefined;
  const findings: Finding[] = units.flatMap((u) => textRules(u, astAvailable));
  const scratch = new Scratch(options.scratch);
  try {
    const engines = await Promise.all([shellSyntax(shell, scratch), shellcheck(shell, scratch), powershell(ps, scratch)]);
    for (const engine of engines) findings.push(...engine.findings);
    findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
    return { findings, notes: engines.flatMap((e) => e.notes) };
  } finally {
    await scratch.dispose();
  }
}

export interface LintPathsResult {
  results: FileResult[];
  /** Files that could not be read or parsed (the CLI exits 2). */
  failures: { file: string; message: string }[];
}

/**
 * `aibgen lint`: script files, folders (recursive, honouring .gitignore and .aibignore) and
 * templates (each Shell/PowerShell inline list as one script), with findings in the shared shape.
 */
export async function lintPaths(paths: readonly string[], options: LintOptions = {}): Promise<LintPathsResult> {
  const collected = await collect(paths, options.os);
  const report = await lintUnits(collected.units);
  const byFile = new Map<string, FileResult>();
  for (const file of collected.files) byFile.set(file, { file, findings: [], notes: [] });
  for (const { file, note } of collected.notes) {
    const entry = byFile.get(file) ?? { file, findings: [], notes: [] };
    entry.notes.push(note);
    byFile.set(file, entry);
  }
  for (const finding of report.findings) byFile.get(finding.file)?.findings.push(finding);
  const results = [...byFile.values()];
  if (report.notes.length > 0 && results[0]) results[0].notes.push(...report.notes);
  return { results, failures: collected.failures };
}
