import { relative } from 'node:path';
import { build, init, type BuildResult } from '../project/index.js';
import type { Output } from './output.js';
import { table } from './table.js';
import type { BuildCliOptions } from './commands/build.js';
import type { InitCliOptions } from './commands/init.js';

function summary(result: BuildResult): string {
  const validation = result.steps.some((s) => s.list === 'inVMValidations');
  const rows = [
    ['step', 'kind', ...(validation ? ['list'] : []), 'artifact', 'size', 'sha256'],
    ...result.steps.map((s) => [
      s.name,
      s.kind,
      ...(validation ? [s.list === 'customize' ? 'customize' : 'validate'] : []),
      s.artifact ?? '-',
      s.size === null ? '-' : String(s.size),
      s.sha256 ? `${s.sha256.slice(0, 12)}${s.reused ? ' (kept)' : ''}` : '-',
    ]),
  ];
  return `${table(rows)}\n`;
}

export async function buildCommand(dir: string | undefined, options: BuildCliOptions, io: Output): Promise<number> {
  const progress = (io.stderrIsTTY || options.verbose) && !options.quiet && !options.json;
  const dim = (text: string) => (io.color ? `\u001b[2m${text}\u001b[22m` : text);
  const result = await build(dir ?? '.', {
    check: options.check,
    prune: options.prune,
    lint: options.lint,
    onStep: progress ? (e) => io.err(`${dim(e.reused ? 'kept ' : 'built')} ${e.name} (${e.kind}) ${dim(`${Math.round(e.ms)} ms`)}\n`) : undefined,
  });
  for (const notice of result.notices) io.err(`aibgen: ${notice.level}: ${notice.message}\n`);
  for (const warning of result.warnings)
    io.err(`${warning.file}:${warning.line}:${warning.column}  warning  ${warning.rule} ${warning.ruleName}  ${warning.message}\n`);
  const rel = (p: string) => relative(process.cwd(), p) || p;
  if (options.check) {
    for (const item of result.stale) {
      io.err(`${rel(item.path)}: ${item.reason}\n`);
      for (const line of item.diff) io.err(`  ${line}\n`);
    }
    if (result.extraArtifacts.length > 0 && !options.quiet) {
      io.err(
        `aibgen: note: ${result.extraArtifacts.length} file(s) in ${rel(result.project.artifacts.path)} are not made by this build (older builds?): ${result.extraArtifacts.join(', ')}; aibgen build --prune removes them\n`,
      );
    }
    if (options.json) {
      io.out(
        `${JSON.stringify({ current: result.stale.length === 0, stale: result.stale.map((s) => ({ path: rel(s.path), reason: s.reason })), extraArtifacts: result.extraArtifacts }, null, 2)}\n`,
      );
    }
    if (result.stale.length > 0) {
      io.err(`aibgen: ${result.stale.length} file(s) are stale; run aibgen build${dir ? ` ${dir}` : ''} and commit the result\n`);
      return 1;
    }
    if (!options.quiet && !options.json) io.err('aibgen: the built template and artifacts are current\n');
    return 0;
  }
  if (options.json) {
    io.out(
      `${JSON.stringify({ os: result.os, template: rel(result.outputs.template), customize: rel(result.outputs.customize), artifactsJson: rel(result.outputs.artifactsJson), steps: result.steps, artifacts: result.artifacts }, null, 2)}\n`,
    );
  } else if (!options.quiet) {
    io.out(summary(result));
    const extra =
      result.extraArtifacts.length > 0 ? `; ${result.extraArtifacts.length} older file(s) there are not listed (aibgen build --prune removes them)` : '';
    io.out(
      `\nwrote ${rel(result.outputs.template)}, ${rel(result.outputs.customize)}, ${rel(result.outputs.artifactsJson)} and ${result.artifacts.length} artifact(s) in ${rel(result.project.artifacts.path)}${extra}\n`,
    );
  }
  if (options.publish) {
    // Built and checked: upload exactly what artifacts.json now lists.
    const { publishCommand } = await import('./publish.js');
    const { publishDefinition } = await import('./commands/publish.js');
    // publish's own defaults (a definition not given any argument), with build's --json.
    return publishCommand(dir, { ...publishDefinition().opts(), json: options.json }, io);
  }
  return 0;
}

export async function initCommand(dir: string | undefined, options: InitCliOptions, io: Output): Promise<number> {
  const result = await init(dir ?? '.', { os: options.os });
  for (const file of result.files) io.out(`created ${file}\n`);
  io.out(`\nnext: set baseUri, the identity and the distribution target, then run: aibgen build${dir ? ` ${dir}` : ''}\n`);
  return 0;
}
