import { relative, resolve } from 'node:path';
import { BicepLocator, bicepSources, CompilerError, type CompilerSession, type Evaluation } from '../bicep/compiler/index.js';
import { customizerTypeOf, uriPropertyOf } from '../customizers/index.js';
import { LineIndex } from '../util/text-position.js';
import type { ChecksumSite, SiteDocument } from './sites.js';

/**
 * fill on Bicep through the compiler: every URI is the compiler's evaluated value, and each checksum
 * is written into the literal the step came from, in whichever given file holds it (a caller that
 * passes steps to a module included). Where aibgen's own reading and the compiler's differ, the
 * compiler wins. A literal that makes several steps with different URIs (a loop), a step no literal
 * can be traced to, and a literal the evaluated deployment does not use are skipped with the reason.
 */

type Json = Record<string, unknown>;

interface EvaluatedStep {
  uri: string;
  uriProperty: 'scriptUri' | 'sourceUri';
  step: Json;
  entry: string;
}

export interface CompiledBicep {
  /** The site document of a given file with the compiler's values put in. */
  apply(file: string, doc: SiteDocument): SiteDocument;
  /** One line per evaluated deployment that could not be evaluated. */
  notes: string[];
}

function stepsOf(template: Json): Json[] {
  const props = (template.properties ?? {}) as Json;
  const customize = Array.isArray(props.customize) ? (props.customize as Json[]) : [];
  const validate = (props.validate ?? {}) as Json;
  const validations = Array.isArray(validate.inVMValidations) ? (validate.inVMValidations as Json[]) : [];
  return [...customize, ...validations].filter((s) => s && typeof s === 'object');
}

/** Which given files are evaluated: .bicepparam files, and .bicep files no other given file uses. */
async function entriesOf(files: readonly string[]): Promise<string[]> {
  const used = new Set<string>();
  for (const file of files) for (const source of (await bicepSources(file)).slice(1)) used.add(resolve(source.path));
  return files.filter((f) => !used.has(resolve(f)));
}

export async function compileForFill(files: readonly string[], session: CompilerSession): Promise<CompiledBicep> {
  const bicep = files.filter((f) => /\.bicep(param)?$/i.test(f));
  // file -> object offset -> the steps evaluated from it
  const byLiteral = new Map<string, Map<number, EvaluatedStep[]>>();
  const untraced: { entry: string; step: EvaluatedStep }[] = [];
  const failed = new Map<string, string>();
  const evaluated = new Set<string>();
  const notes: string[] = [];
  for (const entry of await entriesOf(bicep)) {
    let evaluation: Evaluation;
    try {
      evaluation = await session.evaluate(entry);
    } catch (error) {
      if (!(error instanceof CompilerError)) throw error;
      evaluation = { entry: resolve(entry), templates: [], diagnostics: [], notes: [], sources: await bicepSources(entry), failed: error.message };
    }
    for (const source of evaluation.sources) evaluated.add(resolve(source.path));
    if (evaluation.failed) {
      const errors = evaluation.diagnostics.filter((d) => d.level === 'Error').slice(0, 3);
      const why = `${evaluation.failed}${errors.length ? ` (${errors.map((e) => `${relative(process.cwd(), e.source)}:${e.line}:${e.column} ${e.code} ${e.message}`).join('; ')})` : ''}`;
      for (const source of evaluation.sources) failed.set(resolve(source.path), why);
      notes.push(`${relative(process.cwd(), entry) || entry}: the Bicep compiler could not evaluate it: ${why}`);
      continue;
    }
    const locator = new BicepLocator(evaluation.sources, evaluation.entry);
    for (const template of evaluation.templates) {
      for (const step of stepsOf(template)) {
        const uriProperty = uriPropertyOf(typeof step.type === 'string' ? step.type : undefined);
        if (!uriProperty || typeof step[uriProperty] !== 'string') continue;
        const evaluatedStep: EvaluatedStep = { uri: step[uriProperty], uriProperty, step, entry: evaluation.entry };
        const literal = locator.uniqueLiteralOf(step);
        if (!literal) {
          untraced.push({ entry: evaluation.entry, step: evaluatedStep });
          continue;
        }
        const file = resolve(literal.source.path);
        const map = byLiteral.get(file) ?? new Map<number, EvaluatedStep[]>();
        map.set(literal.object.start, [...(map.get(literal.object.start) ?? []), evaluatedStep]);
        byLiteral.set(file, map);
      }
    }
  }

  const apply = (file: string, doc: SiteDocument): SiteDocument => {
    const path = resolve(file);
    const why = failed.get(path);
    const mine = byLiteral.get(path) ?? new Map<number, EvaluatedStep[]>();
    const seen = new Set<number>();
    const sites: ChecksumSite[] = doc.sites.map((site) => {
      const skip = (reason: string): ChecksumSite => ({
        ...site,
        uri: { kind: 'unresolved', text: site.uri.kind === 'literal' ? site.uri.value : site.uri.text, reason },
      });
      if (why) return skip(`the Bicep compiler could not evaluate the deployment: ${why}`);
      const offset = site.objectOffset;
      const steps = offset === undefined ? undefined : mine.get(offset);
      if (offset !== undefined) seen.add(offset);
      if (!steps || steps.length === 0)
        return evaluated.has(path)
          ? skip("the compiler's evaluation of the deployment does not make this step (unused, or behind a false condition)")
          : skip('no given file deploys this one: give its caller or its .bicepparam too');
      const uris = [...new Set(steps.map((s) => s.uri))];
      if (uris.length > 1)
        return skip(
          `this literal makes ${steps.length} steps with ${uris.length} different URIs (a loop or several callers); one checksum in it cannot be right for each`,
        );
      const uri = uris[0] as string;
      const differs = site.uri.kind === 'literal' && site.uri.value !== uri;
      return {
        ...site,
        uri: { kind: 'literal', value: uri },
        note: differs
          ? `the Bicep compiler evaluates the URI to ${uri}, not ${site.uri.kind === 'literal' ? site.uri.value : '?'} as aibgen's own reading did; the compiler's value is used`
          : undefined,
      };
    });
    // Steps the compiler evaluated in this file that no site (object literal with type and URI) stands for.
    const lines = new LineIndex(doc.render([]));
    for (const [offset, steps] of mine) {
      if (seen.has(offset)) continue;
      const step = steps[0] as EvaluatedStep;
      const name = typeof step.step.name === 'string' ? step.step.name : undefined;
      const position = lines.position(offset);
      sites.push({
        templateName: relative(process.cwd(), file) || file,
        customizerLabel: name ?? `a step at line ${position.line}`,
        customizerName: name,
        type: customizerTypeOf(typeof step.step.type === 'string' ? step.step.type : undefined) ?? String(step.step.type),
        pointer: `line ${position.line}`,
        uriProperty: step.uriProperty,
        uri: { kind: 'unresolved', text: step.uri, reason: 'its type or URI is not written as a literal here; aibgen cannot tell where its checksum goes' },
        uriPosition: position,
        objectOffset: offset,
        checksum: undefined,
        edit: () => [],
      });
    }
    return { ...doc, sites };
  };
  for (const { entry, step } of untraced)
    notes.push(
      `${relative(process.cwd(), entry) || entry}: the step ${typeof step.step.name === 'string' ? `"${step.step.name}"` : `with ${step.uri}`} has no single literal in the given files (built by a function, or written the same way twice); its checksum is not filled`,
    );
  return { apply, notes };
}
