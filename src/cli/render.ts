import { loadVariables, renderTemplate, renderToFile } from '../render/index.js';
import type { Output } from './output.js';
import type { RenderCliOptions } from './commands/render.js';

export async function renderCommand(template: string, options: RenderCliOptions, io: Output): Promise<number> {
  const vars = await loadVariables({ varsFiles: options.vars, set: options.set, setJson: options.setJson });
  const common = { vars, partialsDir: options.partials, eol: options.eol };
  if (options.output === '-') {
    const result = await renderTemplate(template, common);
    for (const warning of result.warnings) io.err(`aibgen: warning: ${warning}\n`);
    io.data(result.bytes);
    return 0;
  }
  const result = await renderToFile(template, options.output, common);
  for (const warning of result.warnings) io.err(`aibgen: warning: ${warning}\n`);
  io.err(`${result.path}: ${result.bytes.length} bytes${result.kind === 'sh' ? ', mode 0755' : ''}\n`);
  return 0;
}
