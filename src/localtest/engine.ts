import { onPath } from '../util/find-program.js';

/**
 * The container engine `aibgen test` runs steps in: systemd-nspawn (Debian's systemd-container),
 * one process per step in the same root folder, so each step sees what the earlier ones left, as on
 * the build VM. It runs through execa, bounded in time; its whole process group is killed at the
 * limit. Output is streamed line by line to the caller and the tail kept for reports.
 */

export interface EngineRun {
  exitCode: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
  /** The last lines the command printed (stdout and stderr interleaved). */
  tail: string[];
}

export interface RunInContainer {
  root: string;
  /** A folder mounted as /tmp: nspawn gives each run a fresh tmpfs there, and steps hand files over in /tmp. */
  tmp?: string;
  /** `root` or the build user. */
  user: string;
  command: readonly string[];
  input?: Buffer;
  network: 'host' | 'none';
  timeoutMs: number;
  /** Each line of output as it comes. */
  onLine?: (line: string) => void;
  env?: Record<string, string>;
}

const TAIL = 40;

export function findNspawn(): string | undefined {
  return onPath('systemd-nspawn');
}

export async function runInContainer(nspawn: string, options: RunInContainer): Promise<EngineRun> {
  const { execa } = await import('execa');
  const env = Object.entries(options.env ?? {}).map(([k, v]) => `--setenv=${k}=${v}`);
  const args = [
    '--quiet',
    `--directory=${options.root}`,
    '--register=no',
    '--keep-unit',
    '--pipe',
    '--hostname=aibgen-build',
    '--resolv-conf=replace-host',
    '--timezone=off',
    '--link-journal=no',
    ...(options.network === 'none' ? ['--private-network'] : []),
    ...(options.tmp ? [`--bind=${options.tmp}:/tmp`] : []),
    ...(options.user === 'root' ? [] : [`--user=${options.user}`, `--chdir=/home/${options.user}`]),
    ...env,
    '--',
    ...options.command,
  ];
  const subprocess = execa(nspawn, args, {
    input: options.input,
    reject: false,
    detached: true,
    cleanup: true,
    buffer: false,
    stdin: options.input ? 'pipe' : 'ignore',
    env: { SYSTEMD_LOG_LEVEL: 'err' },
  });
  const tail: string[] = [];
  let pending = '';
  const take = (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      // systemd-nspawn's own housekeeping where /run is not a tmpfs: not the step's output.
      if (/^Attempted to remove disk file system under "\/run\/systemd\/nspawn\/propagate\//.test(line)) continue;
      tail.push(line);
      if (tail.length > TAIL) tail.shift();
      options.onLine?.(line);
    }
  };
  subprocess.stdout?.on('data', take);
  subprocess.stderr?.on('data', take);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (subprocess.pid !== undefined) {
      try {
        process.kill(-subprocess.pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
  }, options.timeoutMs);
  try {
    const result = await subprocess;
    if (pending) {
      tail.push(pending);
      options.onLine?.(pending);
      if (tail.length > TAIL) tail.shift();
    }
    return { exitCode: result.exitCode, signal: timedOut ? undefined : result.signal, timedOut, tail };
  } finally {
    clearTimeout(timer);
  }
}
