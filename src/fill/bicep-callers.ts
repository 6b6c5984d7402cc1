import { dirname, resolve } from 'node:path';
import { parseBicep } from '../bicep/index.js';
import { readTemplateText } from '../template/index.js';
import type { PassedParams } from './bicep-sites.js';

/**
 * Which params of each Bicep file the other given files pass: a module declaration's `params`, or a
 * .bicepparam's `using` file. A param default is what deploys only where nothing passes the param.
 */
export async function passedParamsByFile(files: readonly string[]): Promise<Map<string, PassedParams>> {
  const out = new Map<string, Map<string, string>>();
  const add = (target: string, param: string, by: string) => {
    const map = out.get(target) ?? new Map<string, string>();
    if (!map.has(param)) map.set(param, by);
    out.set(target, map);
  };
  for (const file of files) {
    const lower = file.toLowerCase();
    if (!lower.endsWith('.bicep') && !lower.endsWith('.bicepparam')) continue;
    let structure;
    try {
      structure = parseBicep((await readTemplateText(file)).replace(/^\uFEFF/, ''));
    } catch {
      // A file that does not read or parse is reported when it is filled itself.
      continue;
    }
    if (lower.endsWith('.bicepparam')) {
      if (!structure.using) continue;
      const target = resolve(dirname(file), structure.using);
      for (const [name, symbol] of structure.symbols) if (symbol.kind === 'param') add(target, name, file);
      continue;
    }
    for (const object of structure.objects) {
      if (object.declarationKeyword !== 'module' || object.parentKey !== 'params' || !object.modulePath) continue;
      // Registry and template-spec modules (br:, ts:) are not among the given files.
      if (/^[a-z]+:/i.test(object.modulePath)) continue;
      const target = resolve(dirname(file), object.modulePath);
      for (const p of object.properties) add(target, p.key, `module ${object.declaration ?? '?'} in ${file}`);
    }
  }
  return out;
}
