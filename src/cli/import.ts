import { importTemplate, type ImportReport } from '../import/index.js';
import type { Output } from './output.js';
import { table } from './table.js';
import type { ImportCliOptions } from './commands/import.js';

function printReport(report: ImportReport, io: Output): void {
  const rows = [
    ['step', 'type', 'became', 'source'],
    ...report.steps.map((s) => [
      `${s.list === 'customize' ? '' : 'validate '}${s.index}${s.name ? ` ${s.name}` : ''}`,
      s.type ?? '?',
      s.action === 'kept' ? 'kept in template.json' : s.action,
      s.file ?? (s.action === 'kept' ? '' : '-'),
    ]),
  ];
  io.out(`${table(rows)}\n`);
  for (const step of report.steps) {
    const label = `${step.list}[${step.index}]${step.name ? ` "${step.name}"` : ''}`;
    if (step.reason) io.out(`${label}: kept: ${step.reason}\n`);
    for (const note of step.notes) io.out(`${label}: note: ${note}\n`);
  }
  io.out(
    `\nimported ${report.template} into ${report.dir} (${report.os}): ${report.files.length} file(s)\nnext:\n${report.next.map((c) => `  ${c}`).join('\n')}\n`,
  );
}

export async function importCommand(template: string, dir: string | undefined, options: ImportCliOptions, io: Output): Promise<number> {
  const report = await importTemplate(template, dir, {
    baseUri: options.baseUri,
    maps: options.map ?? [],
    os: options.os,
    resource: options.resource,
    acceptCurrent: options.acceptCurrent,
    keepUnreachable: options.keepUnreachable,
    fetch: { timeoutMs: (options.fetchTimeout ?? 30) * 1000, maxBytes: options.fetchMaxSize },
  });
  if (options.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else printReport(report, io);
  return 0;
}
