import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { sweepDeadTempDirs } from '../../util/leftovers.js';
import { bicepSources, type BicepSource } from './files.js';
import { toBicepLine } from './literal.js';
import type { BicepCompiler, Diagnostic, SnapshotMetadata } from './rpc.js';

/**
 * A deployment evaluated by the Bicep compiler: a .bicep with its params (given, defaults, or, for
 * a param with neither, a stand-in named in a note), or a .bicepparam, turned into the image
 * templates it would create, with every value computed (loops, conditions, vars, module params).
 */

export interface Evaluation {
  /** The .bicep or .bicepparam evaluated. */
  entry: string;
  /** The predicted Microsoft.VirtualMachineImages/imageTemplates resources, values evaluated. */
  templates: Record<string, unknown>[];
  /** The compiler's diagnostics for every file of the deployment. */
  diagnostics: Diagnostic[];
  /** What was assumed (stand-ins for params without a value, the subscription and resource group). */
  notes: string[];
  /** The local files of the deployment (entry, modules, imports, the .bicepparam's template). */
  sources: BicepSource[];
  /** Set when the deployment could not be evaluated (it does not compile). */
  failed?: string;
}

export const SNAPSHOT_METADATA: Required<SnapshotMetadata> = {
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  tenantId: '00000000-0000-0000-0000-000000000000',
  resourceGroup: 'aibgen-evaluation',
  location: 'westeurope',
  deploymentName: 'aibgen',
};

interface ParamDeclaration {
  type?: string;
  defaultValue?: unknown;
  nullable?: boolean;
  allowedValues?: unknown[];
  $ref?: string;
}

/** The marker a stand-in string carries: validate treats `<...>` as a placeholder, never as a literal, and says nothing of it. */
export const STAND_IN = (name: string) => `<aibgen:param:${name}>`;
const STAND_IN_KEY = '<aibgen:param>';

/**
 * A value that type-checks for a param nobody gave: an allowed value when the param lists them; a
 * marked string, object or list that is turned back into the placeholder string after evaluation
 * (so no rule judges what nobody wrote); 0 and false for numbers and booleans.
 */
function standIn(name: string, declaration: ParamDeclaration, definitions: Record<string, ParamDeclaration>, plain: boolean): unknown {
  if (declaration.allowedValues && declaration.allowedValues.length > 0) return declaration.allowedValues[0];
  let type = declaration.type;
  if (!type && declaration.$ref) type = definitions[declaration.$ref.split('/').pop() ?? '']?.type;
  switch ((type ?? '').toLowerCase()) {
    case 'string':
    case 'securestring':
      return STAND_IN(name);
    case 'int':
      return 0;
    case 'bool':
      return false;
    case 'array':
      return plain ? [] : [STAND_IN(name)];
    case 'object':
    case 'secureobject':
      return plain ? {} : { [STAND_IN_KEY]: name };
    default:
      return undefined;
  }
}

/** Marked stand-in objects and lists become the placeholder string again, wherever evaluation put them. */
function unmark(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length === 1 && typeof value[0] === 'string' && /^<aibgen:param:[^>]+>$/.test(value[0])) return value[0];
    return value.map(unmark);
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0]?.[0] === STAND_IN_KEY) return STAND_IN(String(entries[0][1]));
    // A property evaluated to null is one the deployment leaves unset.
    return Object.fromEntries(entries.filter(([, v]) => v !== null).map(([k, v]) => [k, unmark(v)]));
  }
  return value;
}

function parseJson(text: string | undefined): Record<string, unknown> {
  try {
    const value = JSON.parse(text ?? '{}') as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The params a deployment still needs: declared without a default, not nullable, not given. */
function missingParams(template: Record<string, unknown>, given: ReadonlySet<string>): [string, ParamDeclaration][] {
  const declared = (template.parameters ?? {}) as Record<string, ParamDeclaration>;
  return Object.entries(declared).filter(([name, p]) => !('defaultValue' in p) && !p.nullable && !given.has(name));
}

export async function evaluate(compiler: BicepCompiler, entry: string, options: { params?: Record<string, unknown> } = {}): Promise<Evaluation> {
  const path = resolve(entry);
  const sources = await bicepSources(path);
  const notes: string[] = [];
  const isParamFile = path.toLowerCase().endsWith('.bicepparam');
  const given: Record<string, unknown> = { ...(options.params ?? {}) };
  let template: Record<string, unknown>;
  let diagnostics: Diagnostic[];
  let usingPath = path;
  if (isParamFile) {
    const compiled = await compiler.compileParams(path);
    diagnostics = compiled.diagnostics;
    if (!compiled.success || !compiled.template) return { entry: path, templates: [], diagnostics, notes, sources, failed: 'it does not compile' };
    template = parseJson(compiled.template);
    const parameters = (parseJson(compiled.parameters).parameters ?? {}) as Record<string, { value?: unknown; reference?: unknown }>;
    for (const [name, p] of Object.entries(parameters)) {
      if (name in given) continue;
      if ('value' in p) given[name] = p.value;
      else {
        given[name] = `[parameters('${name}')]`;
        notes.push(`param ${name} is a Key Vault reference; its value is not known here`);
      }
    }
    const using = sources[0]?.structure.using;
    if (!using) return { entry: path, templates: [], diagnostics, notes, sources, failed: 'it has no using declaration' };
    usingPath = resolve(dirname(path), using);
  } else {
    const compiled = await compiler.compile(path);
    diagnostics = compiled.diagnostics;
    if (!compiled.success || !compiled.contents) return { entry: path, templates: [], diagnostics, notes, sources, failed: 'it does not compile' };
    template = parseJson(compiled.contents);
  }
  const definitions = (template.definitions ?? {}) as Record<string, ParamDeclaration>;
  const declared = (template.parameters ?? {}) as Record<string, ParamDeclaration>;
  const stoodIn = new Set<string>();
  const standInFor = (name: string, plain: boolean): boolean => {
    const value = standIn(name, declared[name] ?? {}, definitions, plain);
    if (value === undefined) return false;
    given[name] = value;
    stoodIn.add(name);
    return true;
  };
  for (const [name] of missingParams(template, new Set(Object.keys(given)))) {
    if (!standInFor(name, false)) notes.push(`param ${name} has no value, and aibgen cannot make one of its type; pass --param ${name}=<value>`);
  }

  // The compiler evaluates a .bicepparam file: written in a scratch folder of aibgen's own, never next to the user's files.
  await sweepDeadTempDirs('aibgen-bicep-');
  const scratch = await mkdtemp(join(tmpdir(), `aibgen-bicep-${process.pid}-`));
  const params = join(scratch, 'evaluate.bicepparam');
  const write = () =>
    writeFile(
      params,
      `${[`using '${relative(scratch, usingPath).split('\\').join('/')}'`, ...Object.entries(given).map(([name, value]) => `param ${name} = ${toBicepLine(value)}`)].join('\n')}\n`,
    );
  const failed = (why: string): Evaluation => ({ entry: path, templates: [], diagnostics, notes, sources, failed: why });
  try {
    // A few rounds: a marked stand-in the param's type refuses becomes a plain one; a param whose default
    // cannot be evaluated offline (deployment().properties.templateLink ...) gets a stand-in.
    for (let round = 0; ; round++) {
      await write();
      const checked = await compiler.compileParams(params);
      const refused = checked.diagnostics.filter((d) => d.level === 'Error' && resolve(d.source) === resolve(params));
      if (refused.length > 0) {
        const lines = (await readFile(params, 'utf8')).split('\n');
        const retry = refused
          .map((d) => /^param (\w+) =/.exec(lines[d.line - 1] ?? '')?.[1])
          .filter((n): n is string => n !== undefined && stoodIn.has(n) && JSON.stringify(given[n]).includes('aibgen:param'));
        if (round < 4 && retry.length > 0 && retry.every((n) => standInFor(n, true))) continue;
        return failed(
          `the params could not be given: ${refused.map((e) => `${e.code} ${e.message}`).join('; ')} (pass them with --param name=value, or a .bicepparam)`,
        );
      }
      try {
        const snapshot = await compiler.snapshot(params, SNAPSHOT_METADATA);
        for (const name of stoodIn)
          notes.push(`param ${name} has no value: checked with a stand-in that no rule judges (pass --param ${name}=<value>, or a .bicepparam)`);
        const templates = snapshot.predictedResources
          .filter((r) => String(r.type).toLowerCase() === 'microsoft.virtualmachineimages/imagetemplates')
          .map((r) => unmark(r) as Record<string, unknown>);
        return { entry: path, templates, diagnostics, notes, sources };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const said = message.replace(/^the Bicep compiler failed: /, '');
        const param = /parameter '(\w+)'/i.exec(message)?.[1];
        if (round < 4 && param && param in declared && !stoodIn.has(param) && standInFor(param, false)) {
          notes.push(`param ${param}'s default cannot be evaluated offline (${said.slice(0, 160)})`);
          continue;
        }
        if (stoodIn.size > 0 && /Compilation failed|not valid|doesn't exist|does not exist/i.test(message))
          return failed(
            `the deployment cannot be evaluated with stand-ins for ${[...stoodIn].join(', ')} (no value given): ${said}; pass them with --param name=value, or a .bicepparam`,
          );
        throw error;
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
