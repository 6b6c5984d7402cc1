/// <reference types="handlebars" preserve="true" />
// The hbs.AST types are global ones of handlebars's typings: the reference keeps them loaded in the emitted .d.ts too.

import { AibgenError } from '../errors.js';
import { BLOCK_HELPERS, HELPERS } from './helpers.js';

/**
 * Strictness beyond Handlebars' own `strict` (which misses paths inside {{#if}} blocks and partial
 * hash arguments, handlebars.js #1708 and #1063). The parsed template and its partials are walked
 * against the actual variables before anything is rendered, following contexts into #each, #with
 * and partials. A path is optional only where every use of it is guarded: as the condition of
 * #if/#unless, inside the block of an #if on that same path (or the else of an #unless), or as the
 * first argument of `default`. Every other use must resolve.
 */

export interface MissingVariable {
  file: string;
  line: number;
  column: number;
  path: string;
  note?: string;
}

export interface Problem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface Partials {
  /** Parsed partials by name, with the file each came from. */
  get(name: string): { ast: hbs.AST.Program; file: string } | undefined;
}

/** A context whose shape is unknown (the element of an empty or missing list): paths against it are not judged. */
const UNKNOWN = Symbol('unknown context');

interface Frame {
  value: unknown;
  /** Block parameters visible here (`as |item i|`). */
  blockParams: Map<string, unknown>;
}

interface Scope {
  file: string;
  frames: Frame[];
  root: unknown;
  guards: ReadonlySet<string>;
  partialDepth: number;
  /** Describes where in a list this pass is (for messages). */
  note?: string;
}

type Node = hbs.AST.Node & { loc?: hbs.AST.SourceLocation };
type Expression = hbs.AST.Expression;

export class StrictAnalysis {
  readonly missing: MissingVariable[] = [];
  readonly problems: Problem[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly partials: Partials) {}

  check(program: hbs.AST.Program, file: string, data: unknown): void {
    this.program(program, { file, frames: [{ value: data, blockParams: new Map() }], root: data, guards: new Set(), partialDepth: 0 });
  }

  private at(node: Node, scope: Scope): { file: string; line: number; column: number } {
    return { file: scope.file, line: node.loc?.start.line ?? 0, column: (node.loc?.start.column ?? 0) + 1 };
  }

  private problem(node: Node, scope: Scope, message: string): void {
    const where = this.at(node, scope);
    const key = `${where.file}:${where.line}:${where.column}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.problems.push({ ...where, message });
  }

  private program(program: hbs.AST.Program, scope: Scope): void {
    for (const statement of program.body) this.statement(statement, scope);
  }

  private statement(node: hbs.AST.Statement, scope: Scope): void {
    switch (node.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement':
        return this.mustache(node as hbs.AST.MustacheStatement, scope);
      case 'BlockStatement':
        return this.block(node as hbs.AST.BlockStatement, scope);
      case 'PartialStatement':
        return this.partial(node as hbs.AST.PartialStatement, scope);
      case 'PartialBlockStatement':
        return this.problem(node, scope, 'partial blocks ({{#> name}}) are not supported; use a plain partial');
      case 'DecoratorBlock':
      case 'Decorator':
        return this.problem(node, scope, 'decorators are not supported');
      default:
        return this.problem(node, scope, `unsupported template construct ${node.type}`);
    }
  }

  private guardKey(path: hbs.AST.PathExpression, scope: Scope): string | undefined {
    if (path.data) return undefined;
    const level = scope.frames.length - 1 - path.depth;
    return `${level}|${path.parts.join('.')}`;
  }

  /** Resolves a path; returns `missing` when a key is absent. */
  private resolve(path: hbs.AST.PathExpression, scope: Scope): { found: true; value: unknown } | { found: false; where: string } {
    let value: unknown;
    let parts = path.parts;
    if (path.data) {
      const [head, ...rest] = parts;
      if (head !== 'root') return { found: true, value: UNKNOWN }; // @index, @key, @first, @last ...
      value = scope.root;
      parts = rest;
    } else {
      const frame = scope.frames[scope.frames.length - 1 - path.depth];
      if (!frame) return { found: false, where: `no parent context ${'../'.repeat(path.depth)}` };
      const [head] = parts;
      if (path.depth === 0 && head !== undefined && frame.blockParams.has(head) && !path.original.startsWith('this')) {
        value = frame.blockParams.get(head);
        parts = parts.slice(1);
      } else {
        value = frame.value;
      }
    }
    for (const part of parts) {
      if (value === UNKNOWN) return { found: true, value: UNKNOWN };
      // Own properties only: names on Object.prototype (toString, constructor, __proto__ ...) are
      // variables like any other, and missing unless given.
      if (typeof value === 'object' && value !== null && Object.hasOwn(value, part)) {
        value = (value as Record<string, unknown>)[part];
      } else {
        return { found: false, where: part };
      }
    }
    // null is what a vars file says for "no value": it counts as missing where it is not guarded.
    if (value === null && parts.length > 0) return { found: false, where: parts.at(-1) as string };
    return { found: true, value };
  }

  /** A use of a path as a value: reported when it does not resolve, unless guarded. */
  private use(path: hbs.AST.PathExpression, scope: Scope, guarded = false): unknown {
    const result = this.resolve(path, scope);
    if (result.found) return result.value;
    const key = this.guardKey(path, scope);
    if (guarded || (key !== undefined && scope.guards.has(key))) return undefined;
    const where = this.at(path, scope);
    const id = `${where.file}:${where.line}:${where.column}:${path.original}`;
    if (!this.seen.has(id)) {
      this.seen.add(id);
      this.missing.push({ ...where, path: path.original.replace(/^this\./, ''), note: scope.note });
    }
    return undefined;
  }

  private expression(expr: Expression, scope: Scope, guarded = false): unknown {
    switch (expr.type) {
      case 'PathExpression':
        return this.use(expr as hbs.AST.PathExpression, scope, guarded);
      case 'SubExpression':
        this.call(expr as hbs.AST.SubExpression, scope);
        return UNKNOWN;
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral':
        return (expr as hbs.AST.StringLiteral).value;
      default:
        return undefined;
    }
  }

  /** A helper call: checks the helper exists and its arguments (the first of `default` is guarded). */
  private call(node: hbs.AST.MustacheStatement | hbs.AST.SubExpression | hbs.AST.BlockStatement, scope: Scope): void {
    const path = node.path as hbs.AST.PathExpression;
    const name = path.original;
    if (!Object.hasOwn(HELPERS, name) && !BLOCK_HELPERS.has(name)) {
      this.problem(node, scope, `unknown helper "${name}" (helpers: ${Object.keys(HELPERS).join(', ')})`);
    }
    node.params.forEach((param, index) => this.expression(param, scope, name === 'default' && index === 0));
    for (const pair of node.hash?.pairs ?? []) this.expression(pair.value, scope);
  }

  private mustache(node: hbs.AST.MustacheStatement, scope: Scope): void {
    if (node.path.type !== 'PathExpression') {
      this.problem(node, scope, 'a literal cannot be called as a helper');
      return;
    }
    const path = node.path as hbs.AST.PathExpression;
    const isHelper = !path.data && path.depth === 0 && path.parts.length === 1 && Object.hasOwn(HELPERS, path.original);
    if (isHelper || node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0) {
      this.call(node, scope);
      return;
    }
    const value = this.use(path, scope);
    // Handlebars would print "[object Object]" or "a,b": never what a script meant.
    if (value !== UNKNOWN && typeof value === 'object' && value !== null) {
      const what = Array.isArray(value) ? 'a list' : 'an object';
      this.problem(
        node,
        scope,
        `{{${path.original}}} is ${what}; print a field of it, or use {{json ${path.original}}}${Array.isArray(value) ? `, {{sh ${path.original}}} (one word each) or {{join ${path.original}}}` : ''}`,
      );
    }
  }

  private block(node: hbs.AST.BlockStatement, scope: Scope): void {
    const path = node.path;
    const name = path.original;
    const first = node.params[0];
    const blockParams = node.program?.blockParams ?? [];
    if (name === 'if' || name === 'unless') {
      if (first) this.expression(first, scope, true);
      const key = first?.type === 'PathExpression' ? this.guardKey(first as hbs.AST.PathExpression, scope) : undefined;
      const withGuard = key ? new Set([...scope.guards, key]) : scope.guards;
      this.program(node.program, { ...scope, guards: name === 'if' ? withGuard : scope.guards });
      if (node.inverse) this.program(node.inverse, { ...scope, guards: name === 'unless' ? withGuard : scope.guards });
      return;
    }
    if (name === 'each' || name === 'with') {
      const value = first ? this.expression(first, scope) : undefined;
      const elements: [unknown, string | number][] =
        name === 'with'
          ? [[value === undefined ? UNKNOWN : value, 0]]
          : Array.isArray(value)
            ? value.map((v, i) => [v, i])
            : typeof value === 'object' && value !== null
              ? Object.entries(value).map(([k, v]) => [v, k])
              : [];
      const label = first?.type === 'PathExpression' ? (first as hbs.AST.PathExpression).original : 'list';
      if (elements.length === 0) elements.push([UNKNOWN, 0]);
      for (const [element, index] of elements) {
        const params = new Map<string, unknown>();
        if (blockParams[0]) params.set(blockParams[0], element);
        if (blockParams[1]) params.set(blockParams[1], index);
        this.program(node.program, {
          ...scope,
          frames: [...scope.frames, { value: element, blockParams: params }],
          note: name === 'each' && element !== UNKNOWN ? `in ${label}[${typeof index === 'number' ? index : JSON.stringify(index)}]` : scope.note,
        });
      }
      if (node.inverse) this.program(node.inverse, scope);
      return;
    }
    this.problem(node, scope, `unknown block helper "#${name}" (blocks: #if, #unless, #each, #with)`);
  }

  private partial(node: hbs.AST.PartialStatement, scope: Scope): void {
    if (node.name.type !== 'PathExpression') {
      this.problem(node, scope, 'dynamic partial names are not supported');
      return;
    }
    const name = node.name.original;
    const partial = this.partials.get(name);
    if (!partial) {
      this.problem(node, scope, `partial "${name}" not found (register a folder of *.hbs with --partials)`);
      return;
    }
    if (scope.partialDepth > 32) {
      this.problem(node, scope, `partial "${name}" nests more than 32 deep (recursion?)`);
      return;
    }
    const context = node.params[0] ? this.expression(node.params[0], scope) : (scope.frames.at(-1) as Frame).value;
    const hash: Record<string, unknown> = {};
    for (const pair of node.hash?.pairs ?? []) hash[pair.key] = this.expression(pair.value, scope);
    const merged = context === UNKNOWN ? UNKNOWN : node.hash ? { ...(typeof context === 'object' && context !== null ? context : {}), ...hash } : context;
    this.program(partial.ast, {
      file: partial.file,
      frames: [...scope.frames, { value: merged, blockParams: new Map() }],
      root: scope.root,
      guards: new Set(),
      partialDepth: scope.partialDepth + 1,
      note: scope.note,
    });
  }
}

export function missingVariablesError(template: string, missing: readonly MissingVariable[], problems: readonly Problem[]): AibgenError {
  const lines = [
    ...problems.map((p) => `${p.file}:${p.line}:${p.column}  ${p.message}`),
    ...missing.map((m) => `${m.file}:${m.line}:${m.column}  missing variable "${m.path}"${m.note ? ` (${m.note})` : ''}`),
  ];
  const what = missing.length > 0 ? `${missing.length} missing variable(s)` : `${problems.length} problem(s)`;
  const hint =
    missing.length > 0
      ? ['give them with --set name=value, --set-json name=<json> or a --vars file; guard optional ones with {{#if name}} or {{default name "fallback"}}']
      : [];
  return new AibgenError(missing.length > 0 ? 'E_MISSING_VARS' : 'E_RENDER', `${template}: ${what}; nothing was written`, { details: [...lines, ...hint] });
}
