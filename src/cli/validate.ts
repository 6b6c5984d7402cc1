import { AibgenError, UsageError } from '../errors.js';
import type { FileResult } from '../findings/index.js';
import type { EngineInfo } from '../lint/index.js';
import { checkApiVersionOption, RULES, validateFile } from '../validate/index.js';
import { reportFindings } from './findings.js';
import type { Output } from './output.js';
import type { ValidateCliOptions } from './commands/validate.js';

const isBicep = (file: string) => /\.bicep(param)?$/i.test(file);

export async function validateCommand(files: string[], options: ValidateCliOptions, io: Output): Promise<number> {
  if (files.length === 0) throw new UsageError('no template given', ['usage: aibgen validate <template.json|main.bicep|main.bicepparam...>']);
  checkApiVersionOption(options.apiVersion);
  const results: FileResult[] = [];
  const engines: EngineInfo[] = [];
  let unreadable = 0;
  const validateOptions = { os: options.os, apiVersion: options.apiVersion };
  for (const file of files.filter((f) => !isBicep(f))) {
    try {
      results.push(await validateFile(file, validateOptions));
    } catch (error) {
      if (!(error instanceof AibgenError) || error.code === 'E_USAGE') throw error;
      unreadable++;
      io.err(`aibgen: ${error.message}\n`);
    }
  }
  const bicep = files.filter(isBicep);
  if (bicep.length > 0) {
    // Loaded only for Bicep: JSON templates never pay for the compiler.
    const { CompilerSession, COMPILER_HINT } = await import('../bicep/compiler/index.js');
    const { validateBicepFiles } = await import('../validate/bicep.js');
    const session = new CompilerSession();
    if (!session.available) {
      for (const file of bicep) io.err(`aibgen: ${file}: cannot validate Bicep here: ${COMPILER_HINT}\n`);
      unreadable += bicep.length;
    } else {
      try {
        results.push(...(await validateBicepFiles(bicep, session, { ...validateOptions, params: options.param })));
        const engine = await session.engine().catch(() => undefined);
        if (engine) engines.push(engine);
      } finally {
        session.dispose();
      }
    }
  }
  return reportFindings(
    results,
    {
      format: options.format,
      maxWarnings: options.maxWarnings,
      unreadable,
      rules: RULES,
      engines: bicep.length > 0 ? engines : undefined,
      verbose: options.verbose,
    },
    io,
  );
}
