import { BicepSyntaxError, literalOf, tokenize, type Token } from './lexer.js';

/**
 * Object literals of a Bicep file with their top-level properties, found by bracket structure
 * (Bicep separates properties by newlines or commas), plus the file's `var`s and `param` defaults.
 */

export interface PropertyNode {
  key: string;
  keyToken: Token;
  /** Value tokens (no newlines or comments at the object's level). */
  value: Token[];
}

export interface ObjectNode {
  start: number;
  end: number;
  properties: PropertyNode[];
  /** The array directly holding this object, if any (for duplicate-name checks). */
  parentArray: ContainerNode | undefined;
  /** The declaration (`resource x`, `var y`, `module z` ...) this object is part of. */
  declaration: string | undefined;
  /** Inside a `type` declaration: a type, not a value. */
  inTypeDeclaration: boolean;
  /** The object spreads another into itself (`...other`): what that sets is not known here. */
  spread: boolean;
  /** The key of the property whose value this object is (`params` in `params: { ... }`). */
  parentKey: string | undefined;
  /** The keyword of the declaration it is part of (`module`, `resource`, `var` ...). */
  declarationKeyword: string | undefined;
  /** For a module declaration: the path it names (`'modules/aib.bicep'`). */
  modulePath: string | undefined;
}

interface ContainerNode {
  kind: '{' | '[' | '(';
  object?: ObjectNode;
}

export interface BicepStructure {
  tokens: Token[];
  objects: ObjectNode[];
  /** var name → its value tokens; param name → its default's tokens. */
  symbols: Map<string, { kind: 'var' | 'param'; value: Token[] }>;
  /** Names bound by a `for` loop or a lambda anywhere in the file: they shadow vars and params there. */
  boundNames: Set<string>;
  /** A .bicepparam file's `using '<file>'`. */
  using: string | undefined;
}

function isPunct(token: Token | undefined, value: string): boolean {
  return token?.kind === 'punct' && token.value === value;
}

/** Loop variables (`for x in`, `for (x, i) in`) and lambda parameters (`x =>`, `(a, b) =>`). */
function boundNamesOf(tokens: readonly Token[]): Set<string> {
  const names = new Set<string>();
  const ident = (t: Token | undefined) => (t?.kind === 'ident' ? t.value : undefined);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.kind === 'ident' && token.value === 'for') {
      const single = ident(tokens[i + 1]);
      if (single && ident(tokens[i + 2]) === 'in') names.add(single);
      if (isPunct(tokens[i + 1], '(')) {
        for (let k = i + 2; k < tokens.length && !isPunct(tokens[k], ')'); k++) {
          const name = ident(tokens[k]);
          if (name) names.add(name);
        }
      }
    }
    if (isPunct(token, '=') && isPunct(tokens[i + 1], '>') && tokens[i + 1]?.start === token.end) {
      const before = tokens[i - 1];
      if (before?.kind === 'ident') names.add(before.value);
      if (isPunct(before, ')')) {
        for (let k = i - 2; k >= 0 && !isPunct(tokens[k], '('); k--) {
          const name = ident(tokens[k]);
          if (name) names.add(name);
        }
      }
    }
  }
  return names;
}

const DECLARATIONS = new Set(['var', 'param', 'resource', 'module', 'output', 'type', 'func', 'metadata', 'import', 'targetScope']);
const CLOSERS: Record<string, '{' | '[' | '('> = { '}': '{', ']': '[', ')': '(' };

/** Deepest nesting accepted (real files stay under 20); past it the scanner would do quadratic work. */
export const MAX_BICEP_DEPTH = 256;

export function parseBicep(text: string): BicepStructure {
  const tokens = tokenize(text).filter((t) => t.kind !== 'comment');
  const objects: ObjectNode[] = [];
  const symbols = new Map<string, { kind: 'var' | 'param'; value: Token[] }>();
  const stack: ContainerNode[] = [];
  let declaration: { keyword: string; name: string; path?: string } | undefined;
  let using: string | undefined;
  // Top-level declaration value collection (for var / param defaults).
  let topValue: { kind: 'var' | 'param'; name: string; tokens: Token[] } | undefined;
  // Property parsing state per object on the stack.
  const state = new Map<ContainerNode, { key?: Token; value: Token[]; expectKey: boolean }>();

  const endProperty = (container: ContainerNode) => {
    const s = state.get(container);
    if (!s || !container.object) return;
    if (s.key) container.object.properties.push({ key: keyText(s.key), keyToken: s.key, value: s.value });
    state.set(container, { value: [], expectKey: true });
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const top = stack.at(-1);

    // Record tokens as part of the current property value of the innermost object (nested containers included).
    for (const container of stack) {
      const s = state.get(container);
      if (s && !s.expectKey && container !== top) s.value.push(token);
    }

    if (stack.length === 0) {
      if (token.kind === 'ident' && token.value === 'using' && (i === 0 || tokens[i - 1]?.kind === 'newline')) using = literalOf(tokens[i + 1]);
      if (token.kind === 'ident' && DECLARATIONS.has(token.value) && (i === 0 || tokens[i - 1]?.kind === 'newline' || tokens[i - 1]?.kind === 'punct')) {
        const next = tokens[i + 1];
        if (next?.kind === 'ident') {
          declaration = { keyword: token.value, name: next.value, ...(token.value === 'module' ? { path: literalOf(tokens[i + 2]) } : {}) };
          if (topValue) symbols.set(topValue.name, { kind: topValue.kind, value: topValue.tokens });
          topValue = token.value === 'var' || token.value === 'param' ? { kind: token.value, name: next.value, tokens: [] } : undefined;
          if (topValue?.kind === 'param') {
            // param name type = default: collect only after '='
            const eq = tokens.findIndex((t, k) => k > i && (t.kind === 'newline' || (t.kind === 'punct' && t.value === '=')));
            if (eq === -1 || tokens[eq]?.kind === 'newline') {
              symbols.set(next.value, { kind: 'param', value: [] }); // no default: supplied at deployment
              topValue = undefined;
            } else i = eq;
          } else if (topValue) {
            const eq = tokens[i + 2];
            if (eq?.kind === 'punct' && eq.value === '=') i += 2;
          }
          continue;
        }
      }
      if (token.kind === 'newline') {
        if (topValue) {
          symbols.set(topValue.name, { kind: topValue.kind, value: topValue.tokens });
          topValue = undefined;
        }
        continue;
      }
    }
    if (topValue) topValue.tokens.push(token);

    if (token.kind === 'punct' && (token.value === '{' || token.value === '[' || token.value === '(')) {
      let parentKey: string | undefined;
      if (top) {
        const s = state.get(top);
        if (s && !s.expectKey) {
          if (s.value.length === 0 && s.key) parentKey = keyText(s.key);
          s.value.push(token);
        }
      }
      const container: ContainerNode = { kind: token.value };
      if (token.value === '{') {
        container.object = {
          start: token.start,
          end: token.end,
          properties: [],
          parentArray: top?.kind === '[' ? top : undefined,
          declaration: declaration?.name,
          inTypeDeclaration: declaration?.keyword === 'type',
          spread: false,
          parentKey,
          declarationKeyword: declaration?.keyword,
          modulePath: declaration?.path,
        };
        objects.push(container.object);
        state.set(container, { value: [], expectKey: true });
      }
      stack.push(container);
      if (stack.length > MAX_BICEP_DEPTH)
        throw new BicepSyntaxError(`objects and arrays are nested more than ${MAX_BICEP_DEPTH} deep here; aibgen refuses such input`, token.start);
      continue;
    }
    if (token.kind === 'punct' && CLOSERS[token.value]) {
      const container = stack.pop();
      if (container?.object) {
        endProperty(container);
        container.object.end = token.end;
        state.delete(container);
      }
      continue;
    }
    if (!top?.object) continue;
    const s = state.get(top) as { key?: Token; value: Token[]; expectKey: boolean };
    if (s.expectKey) {
      const next = tokens[i + 1];
      if (isPunct(token, '.') && isPunct(next, '.') && isPunct(tokens[i + 2], '.')) {
        top.object.spread = true;
        i += 2;
        continue;
      }
      if ((token.kind === 'ident' || token.kind === 'string') && next?.kind === 'punct' && next.value === ':') {
        state.set(top, { key: token, value: [], expectKey: false });
        i++;
      }
      continue;
    }
    if (token.kind === 'newline' || (token.kind === 'punct' && token.value === ',')) {
      if (s.value.length > 0) endProperty(top);
      continue;
    }
    s.value.push(token);
  }
  if (topValue) symbols.set(topValue.name, { kind: topValue.kind, value: topValue.tokens });
  return { tokens, objects, symbols, boundNames: boundNamesOf(tokens), using };
}

function keyText(token: Token): string {
  return token.kind === 'ident' ? token.value : (literalOf(token) ?? '');
}

export function property(object: ObjectNode, key: string): PropertyNode | undefined {
  return object.properties.find((p) => p.key === key);
}
