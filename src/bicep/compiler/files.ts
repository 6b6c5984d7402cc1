import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { literalOf } from '../lexer.js';
import { parseBicep, type BicepStructure } from '../objects.js';

/** Most files followed from one entry (modules of modules ...): real deployments use a few dozen. */
const MAX_FILES = 512;

export interface BicepSource {
  path: string;
  text: string;
  structure: BicepStructure;
}

/** The local files a Bicep file refers to: its modules, `import ... from` files, and a .bicepparam's `using` file. */
function references(source: BicepSource): string[] {
  const out: string[] = [];
  const add = (target: string | undefined) => {
    // Registry and template-spec references (br:, br/alias:, ts:) are not local files.
    if (target && !/^(br|ts)[:/]/i.test(target)) out.push(resolve(dirname(source.path), target));
  };
  if (source.structure.using) add(source.structure.using);
  for (const object of source.structure.objects) if (object.declarationKeyword === 'module') add(object.modulePath);
  const tokens = source.structure.tokens;
  tokens.forEach((token, i) => {
    if (token.kind === 'ident' && token.value === 'from' && tokens.slice(Math.max(0, i - 40), i).some((t) => t.kind === 'ident' && t.value === 'import'))
      add(literalOf(tokens[i + 1]));
  });
  return out;
}

/** The entry and every local Bicep file it reaches, each read and parsed once; files that cannot be read are left to the compiler to report. */
export async function bicepSources(entry: string): Promise<BicepSource[]> {
  const seen = new Map<string, BicepSource>();
  const queue = [resolve(entry)];
  while (queue.length > 0 && seen.size < MAX_FILES) {
    const path = queue.shift() as string;
    if (seen.has(path)) continue;
    let text: string;
    try {
      text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
    } catch {
      continue;
    }
    let structure: BicepStructure;
    try {
      structure = parseBicep(text);
    } catch {
      continue;
    }
    const source = { path, text, structure };
    seen.set(path, source);
    queue.push(...references(source));
  }
  return [...seen.values()];
}
