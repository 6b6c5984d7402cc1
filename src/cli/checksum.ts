import { checkSums, checksumFiles, formatCheckNameBytes, formatSumLine, formatSumLineBytes, isChecksumOk, nameBytes } from '../checksum/index.js';
import { recoverRawArgs } from './raw-args.js';
import { UsageError } from '../errors.js';
import type { Output } from './output.js';
import type { ChecksumCliOptions } from './commands/checksum.js';

const NEWLINE = Buffer.from('\n');

export async function checksumCommand(files: string[], options: ChecksumCliOptions, io: Output): Promise<number> {
  if (options.check !== undefined) {
    if (files.length > 0) throw new UsageError('--check reads the file names from the list; do not also pass files', ['usage: aibgen checksum --check SUMS']);
    return checkCommand(options.check, options, io);
  }
  if (files.length === 0) throw new UsageError('no files given', ['usage: aibgen checksum <file...>  (use - for standard input)']);
  const results = await checksumFiles(recoverRawArgs(files), { concurrency: options.concurrency });
  const shown = (path: string | Buffer) => nameBytes(path).toString('utf8');
  let failed = 0;
  if (options.json) {
    const rows = [];
    for (const result of results) {
      if (isChecksumOk(result)) rows.push({ path: shown(result.path), sha256: result.sha256, size: result.size });
      else {
        failed++;
        io.err(`aibgen: ${shown(result.path)}: ${result.error}\n`);
      }
    }
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    // File names are written as their exact bytes, like sha256sum: text for the (usual) UTF-8 names,
    // raw bytes for the others.
    let text = '';
    const flush = () => {
      if (text) io.data(text);
      text = '';
    };
    for (const result of results) {
      if (!isChecksumOk(result)) {
        failed++;
        flush();
        io.err(`aibgen: ${shown(result.path)}: ${result.error}\n`);
      } else if (typeof result.path === 'string') {
        text += `${formatSumLine(result.sha256, result.path)}\n`;
      } else {
        flush();
        io.data(Buffer.concat([formatSumLineBytes(result.sha256, result.path), NEWLINE]));
      }
    }
    flush();
  }
  return failed > 0 ? 2 : 0;
}

async function checkCommand(sumsPath: string, options: ChecksumCliOptions, io: Output): Promise<number> {
  const result = await checkSums(sumsPath, { concurrency: options.concurrency });
  let lines: Buffer[] = [];
  const flush = () => {
    if (lines.length > 0) io.data(Buffer.concat(lines));
    lines = [];
  };
  for (const entry of result.entries) {
    if (entry.status === 'FAILED open or read' && entry.error) {
      flush();
      io.err(`aibgen: ${entry.name}: ${entry.error}\n`);
    }
    if (options.quiet && entry.status === 'OK') continue;
    lines.push(formatCheckNameBytes(entry.nameBytes), Buffer.from(`: ${entry.status}\n`));
  }
  flush();
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (result.malformedLines.length > 0) {
    io.err(
      `aibgen: WARNING: ${plural(result.malformedLines.length, 'line is', 'lines are')} improperly formatted (line ${result.malformedLines.join(', ')})\n`,
    );
  }
  if (result.unreadable > 0) io.err(`aibgen: WARNING: ${plural(result.unreadable, 'listed file', 'listed files')} could not be read\n`);
  if (result.mismatched > 0) io.err(`aibgen: WARNING: ${plural(result.mismatched, 'computed checksum', 'computed checksums')} did NOT match\n`);
  return result.ok ? 0 : 1;
}
