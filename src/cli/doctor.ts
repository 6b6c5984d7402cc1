import { createRequire } from 'node:module';
import { doctor } from '../doctor/index.js';
import type { Output } from './output.js';
import type { DoctorCliOptions } from './commands/doctor.js';

export async function doctorCommand(options: DoctorCliOptions, io: Output): Promise<number> {
  const tools = await doctor();
  const aibgen = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  if (options.json) {
    io.out(`${JSON.stringify({ aibgen, node: process.version, tools }, null, 2)}\n`);
    return 0;
  }
  io.out(`aibgen ${aibgen} on Node.js ${process.version} (${process.execPath})\n\n`);
  for (const tool of tools) {
    if (tool.found) io.out(`found    ${tool.name} ${tool.version ?? ''} (${tool.path ?? ''})\n         ${tool.enables}\n`);
    else io.out(`missing  ${tool.name}\n         without it: ${tool.without}\n`);
  }
  return 0;
}
