import { createRequire } from 'node:module';
import { AibgenError, UsageError } from '../errors.js';
import { checkApiVersionOption, formatJson, formatSarif, formatText, totals, validateFile, type FileResult } from '../validate/index.js';
import type { Output } from './output.js';

export interface ValidateCliOptions {
  os?: 'linux' | 'windows';
  apiVersion?: string;
  format?: 'text' | 'json' | 'sarif';
  maxWarnings?: number;
}

export async function validateCommand(files: string[], options: ValidateCliOptions, io: Output): Promise<number> {
  if (files.length === 0) throw new UsageError('no template given', ['usage: aibgen validate <template.json...>']);
  checkApiVersionOption(options.apiVersion);
  const results: FileResult[] = [];
  let unreadable = 0;
  for (const file of files) {
    try {
      results.push(await validateFile(file, { os: options.os, apiVersion: options.apiVersion }));
    } catch (error) {
      if (!(error instanceof AibgenError) || error.code === 'E_USAGE') throw error;
      unreadable++;
      io.err(`aibgen: ${error.message}\n`);
    }
  }
  const format = options.format ?? 'text';
  if (format === 'json') io.out(formatJson(results));
  else if (format === 'sarif') io.out(formatSarif(results, (createRequire(import.meta.url)('../../package.json') as { version: string }).version));
  else io.out(formatText(results));
  if (unreadable > 0) return 2;
  const { errors, warnings } = totals(results);
  if (errors > 0) return 1;
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) {
    io.err(`aibgen: ${warnings} warning(s), more than --max-warnings ${options.maxWarnings}\n`);
    return 1;
  }
  return 0;
}
