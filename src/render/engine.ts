/// <reference types="handlebars" preserve="true" />
// The hbs.AST types are global ones of handlebars's typings: the reference keeps them loaded in the emitted .d.ts too.
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { AibgenError, cannotRead } from '../errors.js';
import { HELPERS } from './helpers.js';
import { StrictAnalysis, missingVariablesError, type Partials } from './strict.js';

type HandlebarsEnv = typeof Handlebars;

/** A Handlebars environment set up for scripts: no HTML escaping, our helpers, partials parsed for the strictness check. */
export class RenderEngine implements Partials {
  private readonly hb: HandlebarsEnv = Handlebars.create();
  private readonly parsed = new Map<string, { ast: hbs.AST.Program; file: string }>();

  /** `normalize` rewrites template and partial text before parsing (line endings), never the values inserted. */
  constructor(private readonly normalize: (text: string) => string = (text) => text) {
    for (const [name, helper] of Object.entries(HELPERS)) this.hb.registerHelper(name, helper as Handlebars.HelperDelegate);
  }

  get(name: string): { ast: hbs.AST.Program; file: string } | undefined {
    return this.parsed.get(name);
  }

  /** Registers a partial from text (name = how templates call it). */
  addPartial(name: string, text: string, file: string): void {
    const ast = parse(this.normalize(text), file);
    this.parsed.set(name, { ast, file });
    this.hb.registerPartial(name, this.hb.compile(ast, compileOptions()));
  }

  /** Registers every `*.hbs` in a folder under its file name without `.hbs`. */
  async addPartialsFrom(dir: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      throw cannotRead(`cannot read partials folder ${dir}`, error);
    }
    for (const name of names.filter((n) => n.endsWith('.hbs')).sort()) {
      const file = join(dir, name);
      this.addPartial(basename(name, '.hbs'), await readFile(file, 'utf8'), file);
    }
  }

  /** Checks every variable the template uses, then renders. Missing variables: one error listing all, with positions. */
  render(text: string, file: string, data: Record<string, unknown>): string {
    const ast = parse(this.normalize(text), file);
    const analysis = new StrictAnalysis(this);
    analysis.check(ast, file, data);
    if (analysis.missing.length > 0 || analysis.problems.length > 0) throw missingVariablesError(file, analysis.missing, analysis.problems);
    const template = this.hb.compile(ast, compileOptions());
    try {
      return template(data, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
    } catch (error) {
      if (error instanceof AibgenError) throw new AibgenError(error.code, `${file}: ${error.message}`, { details: error.details });
      throw new AibgenError('E_RENDER', `${file}: ${(error as Error).message}`);
    }
  }
}

function compileOptions(): CompileOptions {
  return {
    noEscape: true, // HTML escaping corrupts scripts: a=b would become a&#x3D;b
    strict: false, // our own analysis is stricter and reports every missing variable at once
    preventIndent: true, // partial content is inserted exactly as written (heredocs stay intact)
    knownHelpers: Object.fromEntries(Object.keys(HELPERS).map((name) => [name, true])),
    knownHelpersOnly: true,
  };
}

function parse(text: string, file: string): hbs.AST.Program {
  try {
    return Handlebars.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const line = /line (\d+)/.exec(message)?.[1];
    throw new AibgenError('E_RENDER', `${file}${line ? `:${line}` : ''}: template syntax error: ${message.split('\n')[0]}`, {
      details: message.split('\n').slice(1).filter(Boolean),
    });
  }
}
