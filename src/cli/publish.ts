import { publish, type PublishResult } from '../publish/index.js';
import { formatSize } from '../util/size.js';
import type { Output } from './output.js';
import { table } from './table.js';
import type { PublishCliOptions } from './commands/publish.js';

/** Progress on one line of stderr: bytes, rate, time left. */
function progressLine(io: Output): (event: { sent: number; total: number }) => void {
  const started = Date.now();
  let last = 0;
  return ({ sent, total }) => {
    const now = Date.now();
    if (now - last < 200 && sent < total) return;
    last = now;
    const rate = sent / Math.max(0.001, (now - started) / 1000);
    const eta = rate > 0 ? Math.ceil((total - sent) / rate) : 0;
    io.err(`\r${formatSize(sent)} of ${formatSize(total)}  ${formatSize(rate)}/s  ${sent >= total ? 'done' : `${eta}s left`}   `);
  };
}

export function printPublish(result: PublishResult, options: PublishCliOptions, io: Output): number {
  if (options.json) {
    io.out(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const rows = [['artifact', 'status', 'size', 'blob'], ...result.artifacts.map((a) => [a.file.split('/').pop() ?? a.file, a.status, String(a.size), a.url])];
    io.out(`${table(rows)}\n`);
    for (const a of result.artifacts) if (a.reason) io.err(`aibgen: ${a.url}: ${a.reason}\n`);
    for (const note of result.notes) io.err(`aibgen: note: ${note}\n`);
    const count = (...statuses: string[]) => result.artifacts.filter((a) => statuses.includes(a.status)).length;
    const verb = options.dryRun ? 'would be ' : '';
    io.err(
      `aibgen: ${options.dryRun ? 'dry run, nothing changed: ' : ''}${count('uploaded', 'would upload')} ${verb}uploaded, ${count('replaced', 'would replace')} ${verb}replaced, ${count('skipped', 'would skip')} already there, ${result.conflicts} refused (signed in with ${result.credentials})\n`,
    );
  }
  return result.conflicts > 0 ? 1 : 0;
}

export async function publishCommand(dir: string | undefined, options: PublishCliOptions, io: Output): Promise<number> {
  const result = await publish(dir ?? '.', {
    dryRun: options.dryRun,
    overwrite: options.overwrite,
    verify: options.verify,
    concurrency: options.concurrency,
    sasEnv: options.sasEnv,
    onProgress: io.stderrIsTTY && !options.json ? progressLine(io) : undefined,
  });
  if (io.stderrIsTTY && !options.json) io.err('\n');
  return printPublish(result, options, io);
}
