/**
 * Runs another program (ShellCheck, pwsh, bash, bicep) with bounds: a time limit after which its
 * whole process group is killed, and a cap on what it may print. Every way it can end is reported as
 * data for the caller to judge; nothing here decides that a run was fine.
 */
export interface BoundedRunOptions {
  input?: string;
  /** Kill the process group after this long. */
  timeoutMs: number;
  /** Largest stdout (and stderr) kept; past it the run counts as failed. Default 64 MiB. */
  maxOutputBytes?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface BoundedRunResult {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
  outputTooLarge: boolean;
  /** The program could not be started (ENOENT, EACCES). */
  spawnError: string | undefined;
}

/** Why a run that did not end normally failed, in words; undefined when it exited by itself. */
export function abnormalEnd(result: BoundedRunResult, timeoutMs: number): string | undefined {
  if (result.spawnError) return `it could not be started (${result.spawnError})`;
  if (result.timedOut) return `it did not finish within ${Math.round(timeoutMs / 100) / 10} s and was stopped`;
  if (result.outputTooLarge) return 'it printed more than aibgen accepts';
  if (result.signal) return `it was killed by ${result.signal}`;
  if (result.exitCode === undefined) return 'it ended without an exit code';
  return undefined;
}

export async function boundedRun(program: string, args: readonly string[], options: BoundedRunOptions): Promise<BoundedRunResult> {
  const { execa } = await import('execa');
  const subprocess = execa(program, args, {
    input: options.input,
    reject: false,
    stripFinalNewline: false,
    // Its own process group, so a timeout kills what it started too (bash's children, a hung helper).
    detached: true,
    cleanup: true,
    maxBuffer: options.maxOutputBytes ?? 64 * 1024 * 1024,
    cwd: options.cwd,
    env: options.env,
    encoding: 'utf8',
  });
  let timedOut = false;
  const killGroup = () => {
    if (subprocess.pid === undefined) return;
    try {
      process.kill(-subprocess.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, options.timeoutMs);
  try {
    const result = await subprocess;
    // Whatever the program left running in its group goes with it.
    killGroup();
    const spawnError = result.failed && result.exitCode === undefined && !result.signal && !timedOut && !result.isMaxBuffer ? result.shortMessage : undefined;
    return {
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      exitCode: result.exitCode,
      signal: timedOut ? undefined : result.signal,
      timedOut,
      outputTooLarge: result.isMaxBuffer,
      spawnError,
    };
  } finally {
    clearTimeout(timer);
  }
}
