#!/usr/bin/env node
/**
 * The entry. `aibgen --version` and the top-level `aibgen --help` are answered here without
 * loading commander or any command (a bare Node start is most of what they cost); everything else
 * goes to cli/program.ts. The help text is the program's own, written to dist/help.txt at build
 * time (scripts/write-help.mjs), so the two cannot differ.
 */
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';

function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

function fastAnswer(argv: readonly string[]): string | undefined {
  if (argv.length !== 1) return undefined;
  try {
    if (argv[0] === '--version' || argv[0] === '-V') {
      return `${(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n`;
    }
    if (argv[0] === '--help' || argv[0] === '-h') return readFileSync(new URL('./help.txt', import.meta.url), 'utf8');
  } catch {
    // No prebuilt help (running from sources): commander answers.
  }
  return undefined;
}

// Node 22.1+ keeps the compiled code of aibgen's modules between runs (as tsc does): about a tenth of an
// unchanged build. Node 20 has no such cache.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

exitQuietlyOnClosedPipe(process.stdout);
exitQuietlyOnClosedPipe(process.stderr);
const argv = process.argv.slice(2);
const answer = fastAnswer(argv);
if (answer !== undefined) process.stdout.write(answer);
else process.exitCode = await (await import('./cli/program.js')).run(argv);
