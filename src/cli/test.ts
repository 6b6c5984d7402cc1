import { testProject, type TestEvent, type TestResult } from '../localtest/index.js';
import type { Output } from './output.js';
import type { TestCliOptions } from './commands/test.js';

function printer(io: Output, json: boolean): (event: TestEvent) => void {
  if (json) return () => undefined;
  return (event) => {
    if (event.kind === 'phase') io.err(`aibgen: ${event.message}\n`);
    else if (event.kind === 'start')
      io.err(`\n[${event.number}/${event.total}] ${event.step.name} (${event.step.type}${event.step.kind === 'inline' ? ', inline' : ''})\n`);
    else if (event.kind === 'line') io.err(`  | ${event.line}\n`);
    else if (event.result.status === 'skipped') io.err(`  - ${event.result.name}: skipped (${event.result.reason ?? ''})\n`);
    else if (event.result.status === 'ok') io.err(`  ok ${event.result.name} in ${event.result.seconds} s\n`);
  };
}

function printSummary(result: TestResult, io: Output): void {
  for (const step of result.steps.filter((s) => s.status === 'failed')) {
    io.out(`\nFAILED ${step.list}[${step.index}] "${step.name}" (${step.type})${step.exitCode !== null ? ` with exit code ${step.exitCode}` : ''}\n`);
    if (step.source) io.out(`  from ${step.source}\n`);
    if (step.reason) io.out(`  ${step.reason}\n`);
    if (step.tail.length > 0) io.out(`  last lines of its output:\n${step.tail.map((l) => `    ${l}`).join('\n')}\n`);
  }
  const count = (status: string) => result.steps.filter((s) => s.status === status).length;
  io.out(
    `\n${count('ok')} ok, ${count('failed')} failed, ${count('skipped')} skipped; deprovisioning override: ${result.deprovision.status} (${result.deprovision.reason})\n`,
  );
  if (result.kept) io.out(`the container's root folder is kept at ${result.kept} (remove it when done)\n`);
}

export async function testCommand(dir: string | undefined, options: TestCliOptions, io: Output): Promise<number> {
  const result = await testProject(dir ?? '.', {
    rootfs: options.rootfs,
    keep: options.keep,
    network: options.network,
    from: options.from,
    continueOnError: options.continue,
    stepTimeoutMinutes: options.stepTimeout,
    onEvent: printer(io, options.json ?? false),
  });
  if (options.json) {
    io.out(
      `${JSON.stringify(
        {
          steps: result.steps.map((s) => ({
            name: s.name,
            status: s.status,
            exitCode: s.exitCode,
            seconds: s.seconds,
            ...(s.reason ? { reason: s.reason } : {}),
          })),
          deprovision: result.deprovision,
          ...(result.kept ? { kept: result.kept } : {}),
        },
        null,
        2,
      )}\n`,
    );
  } else printSummary(result, io);
  return result.ok ? 0 : 1;
}
