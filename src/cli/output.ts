/** Where CLI handlers print. Handlers return an exit code; only src/cli.ts ends the process. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly color: boolean;
}

export function processOutput(): Output {
  const stderrIsTTY = Boolean(process.stderr.isTTY);
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY,
    color: stderrIsTTY && !('NO_COLOR' in process.env && process.env.NO_COLOR !== ''),
  };
}
