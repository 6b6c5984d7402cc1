import { readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../util/leftovers.js';
import { unmountUnder } from './rootfs.js';

/** Every container process of a run starts with this variable set to aibgen's pid: the next run finds a killed run's leftovers by it. */
export const RUN_MARKER = 'AIBGEN_TEST_RUN';

/** How long a sweep keeps looking for processes of a dead run that were still starting when it first looked. */
const SWEEP_MS = 5_000;

interface ProcessEntry {
  pid: number;
  ppid: number;
  /** It is the run's systemd-nspawn (started on the run's root folder), or its environment carries the run's marker. */
  marked: boolean;
}

async function processesOf(folder: string, marker: string): Promise<ProcessEntry[]> {
  // The exact argument engine.ts gives nspawn: a process that merely mentions the folder is not the run's.
  const directoryArg = `--directory=${join(folder, 'root')}`;
  const entries: ProcessEntry[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(join('/proc', entry, 'stat'), 'utf8').catch(() => '');
    // The parent is the second field after the command name, which is in parentheses and may hold anything.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const cmdline = await readFile(join('/proc', entry, 'cmdline'), 'utf8').catch(() => '');
    const environ = await readFile(join('/proc', entry, 'environ'), 'utf8').catch(() => '');
    entries.push({ pid: Number(entry), ppid, marked: cmdline.split('\0').includes(directoryArg) || environ.split('\0').includes(marker) });
  }
  return entries;
}

/** The marked processes and everything they started (a container still being set up carries no marker yet). */
function leftoverPids(entries: readonly ProcessEntry[]): number[] {
  const found = new Set(entries.filter((e) => e.marked).map((e) => e.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const e of entries) {
      if (!found.has(e.pid) && found.has(e.ppid)) {
        found.add(e.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

/**
 * What a killed run left: its scratch folder, its overlay mount, and a container still running in it
 * (systemd-nspawn runs in its own process group, and the container's processes outlive a kill -9 of aibgen and
 * of nspawn). The dead run's systemd-nspawn, processes that carry its marker, and everything
 * they started, are killed (killing the container's first process ends its whole PID namespace), looking again
 * until none is left; then the overlay is unmounted and the folder removed.
 */
export async function sweepLeftoverRuns(): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(/^aibgen-test-run-(\d+)-/.exec(name)?.[1]);
    if (!pid || isAlive(pid)) continue;
    const folder = join(tmpdir(), name);
    const until = Date.now() + SWEEP_MS;
    for (;;) {
      const pids = leftoverPids(await processesOf(folder, `${RUN_MARKER}=${pid}`));
      if (pids.length === 0 || Date.now() > until) break;
      for (const leftover of pids) {
        try {
          process.kill(leftover, 'SIGKILL');
        } catch {
          // Gone.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Its overlay first: removing files through a mount would not remove the mount.
    await unmountUnder(folder);
    await rm(folder, { recursive: true, force: true }).catch(() => undefined);
  }
}
