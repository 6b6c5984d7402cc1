// Writes the top-level `aibgen --help` text to dist/help.txt, from the program itself (run after tsc),
// so the CLI entry can print it without loading commander. Usage: node scripts/write-help.mjs
import { writeFileSync } from 'node:fs';
import { URL } from 'node:url';

const { buildProgram } = await import(new URL('../dist/cli/program.js', import.meta.url).href);
const program = await buildProgram();
program.configureOutput({ getOutHelpWidth: () => 80, getErrHelpWidth: () => 80 });
writeFileSync(new URL('../dist/help.txt', import.meta.url), program.helpInformation());
