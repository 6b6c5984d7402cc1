import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RUN_MARKER, sweepLeftoverRuns } from '../../src/localtest/leftovers.js';
import { isAlive } from '../../src/util/leftovers.js';

/** Running: there, and not a zombie (a killed process whose parent has not reaped it yet is dead for this). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

function start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const child = spawn(command, args, { stdio: 'ignore', detached: true, env });
  child.unref();
  started.push(child.pid as number);
  return child.pid as number;
}

describe("the sweep of a killed aibgen test run's leftovers", () => {
  it("kills the run's marked processes and what they started, spares a process that only names its folder, removes the folder", async () => {
    // A pid that is surely dead: a process that has exited.
    const dead = spawnSync('true').pid;
    const folder = join(tmpdir(), `aibgen-test-run-${dead}-sweeptest`);
    await mkdir(join(folder, 'root'), { recursive: true });
    // Stands in for a container's first process (carries the marker) and the step it started (does not).
    const marked = start('sh', ['-c', 'sleep 60 & wait'], { ...process.env, [RUN_MARKER]: String(dead) });
    // A user's process that merely mentions the folder on its command line.
    const bystander = start('sh', ['-c', 'sleep 60', join(folder, 'root')]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const children = spawnSync('pgrep', ['-P', String(marked)], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
      .map(Number);
    expect(children.length).toBe(1);
    await sweepLeftoverRuns();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(running(marked)).toBe(false);
    expect(running(children[0] as number)).toBe(false);
    expect(running(bystander)).toBe(true);
    expect(existsSync(folder)).toBe(false);
  });
});
