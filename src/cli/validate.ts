import { AibgenError, UsageError } from '../errors.js';
import type { FileResult } from '../findings/index.js';
import { checkApiVersionOption, RULES, validateFile } from '../validate/index.js';
import { reportFindings, type FindingsFormat } from './findings.js';
import type { Output } from './output.js';

export interface ValidateCliOptions {
  os?: 'linux' | 'windows';
  apiVersion?: string;
  format?: FindingsFormat;
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
  return reportFindings(results, { format: options.format, maxWarnings: options.maxWarnings, unreadable, rules: RULES }, io);
}
