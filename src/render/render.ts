import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { cannotRead, UsageError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { finishScript, scriptKind, templateEol, type Eol, type ScriptKind } from './hygiene.js';
import type { Variables } from './variables.js';

export interface RenderOptions {
  /** Variables (see loadVariables). */
  vars?: Variables;
  /** Folder of *.hbs partials, registered by file name. */
  partialsDir?: string;
  /** Partials given as text (name → text). */
  partials?: Record<string, string>;
  /** Line endings for .ps1 (default crlf) and other files (default: as rendered). .sh is always LF. */
  eol?: Eol;
  /** The output name, to pick the script rules (.sh / .ps1); default: the template name without .hbs. */
  outputName?: string;
}

export interface RenderResult {
  bytes: Buffer;
  /** 0755 for .sh, else 0644. */
  mode: number;
  kind: ScriptKind;
  warnings: string[];
}

/** Default output path: the template path without `.hbs`. */
export function defaultOutputPath(templatePath: string): string {
  if (!templatePath.toLowerCase().endsWith('.hbs')) {
    throw new UsageError(`${templatePath} does not end in .hbs, so the output name cannot be derived`, [
      'give the output with -o <file> (or -o - for standard output)',
    ]);
  }
  return templatePath.slice(0, -4);
}

/** Renders template text strictly and applies the script rules of the output's type. */
export async function renderText(text: string, templateName: string, options: RenderOptions = {}): Promise<RenderResult> {
  const outputName = options.outputName ?? (templateName.toLowerCase().endsWith('.hbs') ? templateName.slice(0, -4) : templateName);
  const kind = scriptKind(outputName);
  // Handlebars is loaded when something is rendered, not when a build only proves its scripts unchanged.
  const { RenderEngine } = await import('./engine.js');
  const engine = new RenderEngine(templateEol(kind, options.eol));
  if (options.partialsDir) await engine.addPartialsFrom(options.partialsDir);
  for (const [name, partial] of Object.entries(options.partials ?? {})) engine.addPartial(name, partial, `${name}.hbs`);
  const rendered = engine.render(text, templateName, options.vars ?? {});
  const finished = finishScript(rendered, kind, { eol: options.eol, name: basename(outputName) });
  return { ...finished, kind };
}

export async function renderTemplate(templatePath: string, options: RenderOptions = {}): Promise<RenderResult> {
  let text: string;
  try {
    text = await readFile(templatePath, 'utf8');
  } catch (error) {
    throw cannotRead(`cannot read template ${templatePath}`, error);
  }
  return renderText(text, templatePath, options);
}

/** Renders a template to a file (atomically, with the mode its type needs). Returns where it went. */
export async function renderToFile(templatePath: string, output: string | undefined, options: RenderOptions = {}): Promise<RenderResult & { path: string }> {
  const path = output ?? defaultOutputPath(templatePath);
  const result = await renderTemplate(templatePath, { ...options, outputName: options.outputName ?? path });
  await writeFileAtomic(path, result.bytes, { mode: result.mode, forceMode: true });
  return { ...result, path };
}
