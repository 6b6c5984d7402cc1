import { LineIndex } from '../../util/text-position.js';
import { literalOf, type Token } from '../lexer.js';
import type { ObjectNode } from '../objects.js';
import type { BicepSource } from './files.js';
import { pointerTokens } from '../../util/json-pointer.js';

/**
 * Where an evaluated value came from in the Bicep source: the object literal that produced it (a step
 * literal in main.bicep passed as a module param is found in main.bicep, not in the module), and the
 * property in it; when no literal can be traced, the line of the resource or module declaration that
 * produced the template.
 */

export interface BicepLocation {
  file: string;
  line: number;
  column: number;
  /** Whether a literal was found (else the declaration's line). */
  traced: boolean;
}

type Json = unknown;

/** A property value that is one literal token, as text (strings unescaped; numbers, true, false and null as written). */
function tokenValue(tokens: readonly Token[], text: string): string | undefined {
  if (tokens.length !== 1) return undefined;
  const token = tokens[0] as Token;
  if (token.kind === 'string') return literalOf(token);
  if (token.kind === 'ident' && (token.value === 'true' || token.value === 'false' || token.value === 'null')) return token.value;
  if (token.kind === 'number') return text.slice(token.start, token.end);
  return undefined;
}

/** An interpolated string (`'${base}/install.sh'`) as a pattern its evaluated values match: its text parts, anything between. */
function interpolationPattern(tokens: readonly Token[]): RegExp | undefined {
  if (tokens.length !== 1) return undefined;
  const token = tokens[0] as Token;
  if (token.kind !== 'string' || !token.parts.some((p) => p.kind === 'expr')) return undefined;
  const text = token.parts.map((p) => (p.kind === 'text' ? p.value : '')).join('');
  if (text.length === 0) return undefined;
  return new RegExp(`^${token.parts.map((p) => (p.kind === 'text' ? p.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '[\\s\\S]*')).join('')}$`);
}

function scalar(value: Json): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || value === null || typeof value === 'number') return String(value);
  return undefined;
}

interface Candidate {
  source: BicepSource;
  object: ObjectNode;
  score: number;
}

export class BicepLocator {
  private readonly lines = new Map<string, LineIndex>();

  constructor(
    private readonly sources: readonly BicepSource[],
    private readonly entry: string,
  ) {}

  private position(source: BicepSource, offset: number): { line: number; column: number } {
    let index = this.lines.get(source.path);
    if (!index) {
      index = new LineIndex(source.text);
      this.lines.set(source.path, index);
    }
    return index.position(offset);
  }

  /**
   * The object literals whose properties agree with `value`: each literal property equals the
   * evaluated one, and each interpolated string (`'${base}install.sh'`) matches it around its
   * expressions. Literal equality counts more than a pattern match.
   */
  private candidates(value: Record<string, Json>): Candidate[] {
    const out: Candidate[] = [];
    for (const source of this.sources) {
      for (const object of source.structure.objects) {
        if (object.inTypeDeclaration || object.properties.length === 0) continue;
        let score = 0;
        let agrees = true;
        for (const property of object.properties) {
          if (!(property.key in value)) {
            agrees = false;
            break;
          }
          const literal = tokenValue(property.value, source.text);
          if (literal !== undefined) {
            if (scalar(value[property.key]) !== literal) {
              agrees = false;
              break;
            }
            score += property.key === 'name' ? 3 : 2;
            continue;
          }
          const pattern = interpolationPattern(property.value);
          if (pattern) {
            const evaluated = value[property.key];
            if (typeof evaluated !== 'string' || !pattern.test(evaluated)) {
              agrees = false;
              break;
            }
            score += 1;
          }
        }
        if (agrees && score > 0) out.push({ source, object, score });
      }
    }
    return out.sort((a, b) => b.score - a.score || (a.source.path === this.entry ? -1 : b.source.path === this.entry ? 1 : 0));
  }

  /** The literal that produced the evaluated object when exactly one agrees best (fill writes into it, so a tie is no answer). */
  uniqueLiteralOf(value: Json): { source: BicepSource; object: ObjectNode } | undefined {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const [best, second] = this.candidates(value as Record<string, Json>);
    if (!best || (second && second.score === best.score)) return undefined;
    return best;
  }

  /** The object literal (in any file) that produced the evaluated object, when one agrees better than any other. */
  literalOf(value: Json): { source: BicepSource; object: ObjectNode } | undefined {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const [best, second] = this.candidates(value as Record<string, Json>);
    if (!best) return undefined;
    // Two equally good literals in different places: either could be it; the entry file's is preferred, else the first.
    if (second && second.score === best.score && best.source.path !== this.entry && second.source.path === this.entry) return second;
    return best;
  }

  /** The place of the value at `pointer` (RFC 6901) in the evaluated template `root`. */
  locate(root: Json, pointer: string): BicepLocation {
    const segments = pointerTokens(pointer);
    const values: Json[] = [root];
    for (const segment of segments) {
      const current = values.at(-1);
      values.push(current && typeof current === 'object' ? (current as Record<string, Json>)[segment] : undefined);
    }
    const last = segments.at(-1);
    const leaf = values.at(-1);
    // The deepest object on the way that a literal produced; the property under it when the literal sets it.
    for (let depth = values.length - 1; depth >= 1; depth--) {
      const found = this.literalOf(values[depth]);
      if (!found) continue;
      const key = segments[depth];
      const property = key !== undefined ? found.object.properties.find((p) => p.key === key) : undefined;
      // A property set by an expression (a param, a var): the literal value itself, where the deployment wrote it.
      if (property && depth === values.length - 2 && tokenValue(property.value, found.source.text) === undefined && last !== undefined) {
        const traced = this.scalarLiteral(last, leaf);
        if (traced) return traced;
      }
      const offset = property ? (property.value[0]?.start ?? property.keyToken.start) : found.object.start;
      return { file: found.source.path, ...this.position(found.source, offset), traced: true };
    }
    if (last !== undefined) {
      const traced = this.scalarLiteral(last, leaf);
      if (traced) return traced;
    }
    return this.declaration();
  }

  /** A property literal holding exactly this scalar: under the same key if one is (the entry file's first), else the only one anywhere. */
  private scalarLiteral(key: string, value: Json): BicepLocation | undefined {
    const wanted = scalar(value);
    if (wanted === undefined || wanted === '') return undefined;
    const sameKey: { source: BicepSource; offset: number }[] = [];
    const anyKey: { source: BicepSource; offset: number }[] = [];
    for (const source of this.sources) {
      for (const object of source.structure.objects) {
        if (object.inTypeDeclaration) continue;
        for (const property of object.properties) {
          if (tokenValue(property.value, source.text) !== wanted) continue;
          const at = { source, offset: (property.value[0] as Token).start };
          if (property.key === key) sameKey.push(at);
          anyKey.push(at);
        }
      }
      // A .bicepparam's `param x = 'value'`.
      if (!source.path.toLowerCase().endsWith('.bicepparam')) continue;
      for (const [name, symbol] of source.structure.symbols) {
        if (symbol.kind !== 'param' || tokenValue(symbol.value, source.text) !== wanted) continue;
        const at = { source, offset: (symbol.value[0] as Token).start };
        if (name === key) sameKey.unshift(at);
        anyKey.push(at);
      }
    }
    const pick = sameKey.find((c) => c.source.path === this.entry) ?? sameKey[0] ?? (anyKey.length === 1 ? anyKey[0] : undefined);
    return pick ? { file: pick.source.path, ...this.position(pick.source, pick.offset), traced: true } : undefined;
  }

  /** The line of the imageTemplates resource declaration, or of the entry's module declaration that leads to one. */
  declaration(): BicepLocation {
    const declares = (source: BicepSource) =>
      source.structure.tokens.findIndex(
        (t, i, all) =>
          t.kind === 'ident' &&
          t.value === 'resource' &&
          all[i + 2]?.kind === 'string' &&
          /^Microsoft\.VirtualMachineImages\/imageTemplates@/i.test(literalOf(all[i + 2]) ?? ''),
      );
    const entry = this.sources.find((s) => s.path === this.entry) ?? this.sources[0];
    if (!entry) return { file: this.entry, line: 1, column: 1, traced: false };
    const own = declares(entry);
    if (own !== -1) return { file: entry.path, ...this.position(entry, (entry.structure.tokens[own] as Token).start), traced: false };
    const module = entry.structure.tokens.find((t) => t.kind === 'ident' && t.value === 'module');
    if (module) return { file: entry.path, ...this.position(entry, module.start), traced: false };
    for (const source of this.sources) {
      const index = declares(source);
      if (index !== -1) return { file: source.path, ...this.position(source, (source.structure.tokens[index] as Token).start), traced: false };
    }
    return { file: entry.path, line: 1, column: 1, traced: false };
  }
}
