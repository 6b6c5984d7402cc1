import { relative, resolve } from 'node:path';
import { BicepLocator, CompilerError, type CompilerSession, type Diagnostic, type Evaluation } from '../bicep/compiler/index.js';
import type { FileResult, Finding } from '../findings/index.js';
import { parseJsonDocument } from '../template/index.js';
import { rule } from './rules.js';
import { validateDocument, type ValidateOptions } from './validate.js';

/**
 * validate on .bicep and .bicepparam: the deployment is evaluated by the Bicep compiler, every
 * predicted image template is checked with every rule, and each finding is placed in the Bicep
 * source (the literal the value came from, else the declaration that produced the template). The
 * compiler's own errors are findings too, and its type warnings where they add to ours.
 */

export interface BicepValidateOptions extends ValidateOptions {
  /** Values for params (`--param name=value`), over defaults and .bicepparam values. */
  params?: Record<string, unknown>;
}

function shown(path: string): string {
  return relative(process.cwd(), path) || path;
}

function compilerFinding(d: Diagnostic): Finding {
  return {
    rule: d.code,
    ruleName: 'bicep',
    severity: d.level === 'Error' ? 'error' : d.level === 'Warning' ? 'warning' : 'info',
    message: d.message,
    file: shown(d.source),
    line: d.line,
    column: d.column,
  };
}

function notChecked(file: string, why: string): Finding {
  return { rule: 'AIB190', ruleName: rule('AIB190').name, severity: 'error', message: `could not be checked: ${why}`, file: shown(file), line: 1, column: 1 };
}

/** The compiler's own (BCP) diagnostics on the deployment's files; its linter's style rules are not validate's business. */
export function compilerFindingsOf(evaluation: Evaluation): Finding[] {
  const files = new Set(evaluation.sources.map((s) => resolve(s.path)));
  return evaluation.diagnostics.filter((d) => files.has(resolve(d.source)) && (d.level === 'Error' || /^BCP\d+$/.test(d.code))).map(compilerFinding);
}

/** The findings and notes of one evaluated deployment, placed in its Bicep files. */
export function checkEvaluation(evaluation: Evaluation, options: ValidateOptions): { findings: Finding[]; notes: string[] } {
  const compilerFindings = compilerFindingsOf(evaluation);
  const notes = [...evaluation.notes];
  const findings: Finding[] = [];
  if (evaluation.failed && !compilerFindings.some((f) => f.severity === 'error')) findings.push(notChecked(evaluation.entry, evaluation.failed));
  const locator = new BicepLocator(evaluation.sources, evaluation.entry);
  if (!evaluation.failed && evaluation.templates.length === 0)
    notes.push('the deployment creates no image template (Microsoft.VirtualMachineImages/imageTemplates); nothing to check');
  for (const template of evaluation.templates) {
    const name = typeof template.name === 'string' ? template.name : 'imageTemplate';
    const doc = parseJsonDocument(`${name}.json`, JSON.stringify(template, null, 2));
    const result = validateDocument(doc, options);
    for (const note of result.notes) notes.push(`${name}: ${note}`);
    for (const finding of result.findings) {
      const at = locator.locate(template, finding.pointer ?? '');
      findings.push({
        ...finding,
        file: shown(at.file),
        line: at.line,
        column: at.column,
        message: at.traced ? finding.message : `${name}: ${finding.message}`,
      });
    }
  }
  // The compiler's type warnings where a rule of ours already says it on that line are the same finding.
  const ours = new Set(findings.map((f) => `${f.file}:${f.line}`));
  for (const f of compilerFindings) if (f.severity === 'error' || !ours.has(`${f.file}:${f.line}`)) findings.push(f);
  return { findings, notes };
}

/** Which given files are evaluated: .bicepparam files, and .bicep files that no other given file uses (as a module, or by a .bicepparam). */
async function entries(files: readonly string[]): Promise<string[]> {
  const { bicepSources } = await import('../bicep/compiler/files.js');
  const used = new Set<string>();
  for (const file of files) for (const source of (await bicepSources(file)).slice(1)) used.add(resolve(source.path));
  return files.filter((f) => !used.has(resolve(f)));
}

/** Validates Bicep files through the compiler; a file the compiler could not evaluate gets AIB190 (exit 2). */
export async function validateBicepFiles(files: readonly string[], session: CompilerSession, options: BicepValidateOptions = {}): Promise<FileResult[]> {
  const byFile = new Map<string, FileResult>(files.map((f) => [shown(resolve(f)), { file: shown(resolve(f)), findings: [], notes: [] }]));
  const entry = (file: string) => {
    let result = byFile.get(file);
    if (!result) {
      result = { file, findings: [], notes: [] };
      byFile.set(file, result);
    }
    return result;
  };
  for (const file of await entries(files)) {
    let evaluation: Evaluation;
    try {
      evaluation = await session.evaluate(file, options.params);
    } catch (error) {
      if (!(error instanceof CompilerError)) throw error;
      entry(shown(resolve(file))).findings.push(notChecked(file, error.message));
      continue;
    }
    const checked = checkEvaluation(evaluation, options);
    entry(shown(resolve(file))).notes.push(...checked.notes);
    for (const finding of checked.findings) entry(finding.file).findings.push(finding);
  }
  for (const result of byFile.values()) result.findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return [...byFile.values()];
}
