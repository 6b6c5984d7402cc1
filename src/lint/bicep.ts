import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { tokenize } from '../bicep/index.js';
import type { Finding } from '../findings/index.js';
import { notChecked } from './finding.js';
import { BicepLocator, bicepSources, CompilerError, type CompilerSession, type Evaluation } from '../bicep/compiler/index.js';
import { customizerTypeOf } from '../customizers/index.js';
import { LineIndex } from '../util/text-position.js';
import type { LintUnit } from './unit.js';

/**
 * lint on Bicep: the deployment is evaluated by the compiler, and the inline commands of every
 * evaluated Shell and PowerShell step are linted, each command placed on its string in the Bicep
 * source (the literal the step came from; a module's caller when the steps are passed to it).
 */

type Json = Record<string, unknown>;

export interface BicepUnits {
  units: LintUnit[];
  /** Per given file: what could not be linted, and why. */
  notes: { file: string; note: string }[];
  failures: { file: string; message: string }[];
  /** AIB216 for a file found in a folder whose inline commands could not be evaluated. */
  findings: Finding[];
}

/** Whether a Bicep file writes an `inline:` property anywhere: only then can it hold commands of its own to lint. */
async function mayHoldInline(path: string): Promise<boolean> {
  try {
    const tokens = tokenize(await readFile(path, 'utf8'));
    return tokens.some((t, i) => {
      const next = tokens[i + 1];
      return t.kind === 'ident' && t.value === 'inline' && next?.kind === 'punct' && next.value === ':';
    });
  } catch {
    return true;
  }
}

/**
 * An entry the compiler could not evaluate. Named on the command line, it is an error (exit 2). Found
 * in a folder, it is often a module that only its caller gives values to: when it holds no inline
 * commands of its own there is nothing unchecked in it, and a note says why it was not evaluated;
 * when it does, those commands were not linted, and an AIB216 finding says so.
 */
async function notEvaluated(out: BicepUnits, entry: string, explicit: boolean, why: string): Promise<void> {
  if (explicit) out.failures.push({ file: entry, message: `${entry}: ${why}` });
  else if (await mayHoldInline(entry))
    out.findings.push(
      notChecked({ file: entry, language: 'shell', shell: 'sh', bytes: Buffer.alloc(0), kind: 'file', override: false }, 'the Bicep compiler', why),
    );
  else out.notes.push({ file: entry, note: `not evaluated, and it writes no inline commands of its own: ${why}` });
}

function shown(path: string): string {
  return relative(process.cwd(), path) || path;
}

function isExpression(value: string): boolean {
  return /^\s*\[(?!\[)[\s\S]*\]\s*$/.test(value);
}

function stepLists(template: Json): { list: string; steps: Json[] }[] {
  const props = (template.properties ?? {}) as Json;
  const validate = (props.validate ?? {}) as Json;
  return [
    { list: 'customize', steps: Array.isArray(props.customize) ? (props.customize as Json[]) : [] },
    { list: 'inVMValidations', steps: Array.isArray(validate.inVMValidations) ? (validate.inVMValidations as Json[]) : [] },
  ];
}

function unitsOf(evaluation: Evaluation, named: ReadonlyMap<string, string>): LintUnit[] {
  const locator = new BicepLocator(evaluation.sources, evaluation.entry);
  const units: LintUnit[] = [];
  for (const template of evaluation.templates) {
    for (const { list, steps } of stepLists(template)) {
      steps.forEach((step, index) => {
        const type = customizerTypeOf(typeof step.type === 'string' ? step.type : undefined);
        if ((type !== 'Shell' && type !== 'PowerShell') || !Array.isArray(step.inline)) return;
        // A param nobody gave a value is a stand-in marker in the evaluated text; to the shells it would be
        // redirection (`<`), so it becomes a plain word of the same length (columns stay where they were).
        const commands = (step.inline as unknown[])
          .filter((c): c is string => typeof c === 'string')
          .map((c) => c.replace(/<aibgen:param:[^>]*>/g, (marker) => 'x'.repeat(marker.length)));
        if (commands.length === 0) return;
        const literal = locator.uniqueLiteralOf(step) ?? locator.literalOf(step);
        // Each command's string in the source, when the literal writes the list out; else the step's own place.
        const strings = literal?.object.properties.find((p) => p.key === 'inline')?.value.filter((t) => t.kind === 'string') ?? [];
        const file = literal?.source.path ?? locator.declaration().file;
        const lines = literal ? new LineIndex(literal.source.text) : undefined;
        const fallback = literal && lines ? lines.position(literal.object.start) : locator.declaration();
        const places = commands.map((_, i) => {
          const token = strings.length === commands.length ? strings[i] : undefined;
          return token && lines
            ? lines.position(token.start + (token.kind === 'string' && token.multiline ? 3 : 1))
            : { line: fallback.line, column: fallback.column };
        });
        const texts = commands.map((c) => (isExpression(c) ? '' : c));
        const starts: number[] = [];
        let line = 1;
        for (const command of texts) {
          starts.push(line);
          line += command.split('\n').length;
        }
        const text = texts.join('\n');
        if (!text.trim()) return;
        const name = typeof step.name === 'string' ? step.name : undefined;
        units.push({
          file: named.get(resolve(file)) ?? shown(file),
          language: type === 'Shell' ? 'shell' : 'powershell',
          shell: type === 'Shell' ? 'sh' : 'other',
          bytes: Buffer.from(text, 'utf8'),
          kind: 'inline',
          override: false,
          label: `${list}[${index}]${name !== undefined ? ` "${name}"` : ''}`,
          hasExpressions: texts.some((t, i) => t === '' && commands[i] !== ''),
          locate: (at: number, column: number) => {
            let i = starts.length - 1;
            while (i > 0 && (starts[i] as number) > at) i--;
            const place = places[i] as { line: number; column: number };
            // The command's first line maps column for column into its string; later lines of a multi-line command to the string's start.
            const exact = strings.length === commands.length && at === starts[i];
            return { line: place.line, column: exact ? place.column + column - 1 : place.column };
          },
        });
      });
    }
  }
  return units;
}

/** The lint units of the given Bicep files' evaluated deployments (each file a module of another is linted through it). */
export async function bicepUnits(given: readonly { path: string; explicit: boolean }[], session: CompilerSession): Promise<BicepUnits> {
  const out: BicepUnits = { units: [], notes: [], failures: [], findings: [] };
  const files = given.map((g) => g.path);
  const explicit = new Set(given.filter((g) => g.explicit).map((g) => resolve(g.path)));
  const used = new Set<string>();
  for (const file of files) for (const source of (await bicepSources(file)).slice(1)) used.add(resolve(source.path));
  for (const entry of files.filter((f) => !used.has(resolve(f)))) {
    let evaluation: Evaluation;
    try {
      evaluation = await session.evaluate(entry);
    } catch (error) {
      if (!(error instanceof CompilerError)) throw error;
      await notEvaluated(out, entry, explicit.has(resolve(entry)), `could not be linted: ${error.message}`);
      continue;
    }
    if (evaluation.failed) {
      const errors = evaluation.diagnostics.filter((d) => d.level === 'Error').slice(0, 3);
      await notEvaluated(
        out,
        entry,
        explicit.has(resolve(entry)),
        `the Bicep compiler could not evaluate it, so its inline commands were not linted: ${evaluation.failed}${errors.length ? ` (${errors.map((e) => `${shown(e.source)}:${e.line}:${e.column} ${e.code} ${e.message}`).join('; ')})` : ''}`,
      );
      continue;
    }
    for (const note of evaluation.notes) out.notes.push({ file: entry, note });
    const units = unitsOf(evaluation, new Map(files.map((f) => [resolve(f), f])));
    if (units.length === 0) out.notes.push({ file: entry, note: 'its evaluated deployment has no inline commands; nothing to lint' });
    out.units.push(...units);
  }
  return out;
}
