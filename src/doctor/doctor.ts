import { findBicep } from '../bicep/compiler/find.js';
import { findBash, findPwsh, findShellcheck } from '../lint/index.js';
import { boundedRun } from '../util/bounded-run.js';
import { onPath } from '../util/find-program.js';
import { sanitizeLine } from '../util/sanitize.js';

/** One outside program aibgen uses: whether it was found, where, its version, and what it enables. */
export interface ToolReport {
  name: string;
  found: boolean;
  path?: string;
  version?: string;
  /** What aibgen does with it. */
  enables: string;
  /** Without it: what is not checked, and how to install it. */
  without: string;
}

interface Probe {
  name: string;
  find: () => string | undefined;
  args: string[];
  version: (stdout: string) => string | undefined;
  enables: string;
  without: string;
}

const firstVersion = (text: string) => /(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1];

const PROBES: Probe[] = [
  {
    name: 'bash',
    find: findBash,
    args: ['--version'],
    version: firstVersion,
    enables: 'lint: bash -n and sh -n parse every shell script',
    without: 'shell scripts are not parsed by the shells themselves; install bash',
  },
  {
    name: 'shellcheck',
    find: findShellcheck,
    args: ['--version'],
    version: (out) => /^version: (\S+)/m.exec(out)?.[1],
    enables: "lint: ShellCheck's findings (SCxxxx) on every shell script",
    without: 'shell scripts get syntax and AIB rules only; apt-get install shellcheck, or brew install shellcheck',
  },
  {
    name: 'pwsh',
    find: findPwsh,
    args: ['-NoProfile', '-NonInteractive', '-Command', '$PSVersionTable.PSVersion.ToString()'],
    version: (out) => out.trim() || undefined,
    enables: "lint: PowerShell's own parser and syntax tree (AIB206, AIB207, AIB209, AIB211, AIB212, AIB215)",
    without: 'PowerShell scripts get text fallbacks only, and PowerShell 7 syntax is not found; dotnet tool install --global PowerShell',
  },
  {
    name: 'bicep',
    find: () => findBicep()?.path,
    args: ['--version'],
    version: firstVersion,
    enables: 'validate, fill, lint and build of .bicep and .bicepparam files through the real compiler',
    without:
      "Bicep files are read by aibgen's own evaluator only (fill refuses what it cannot evaluate; validate cannot check Bicep); install the Bicep CLI or run az bicep install",
  },
  {
    name: 'systemd-nspawn',
    find: () => onPath('systemd-nspawn'),
    args: ['--version'],
    version: firstVersion,
    enables: 'aibgen test: runs the Linux customization in a container',
    without: 'aibgen test cannot run; apt-get install systemd-container (it needs root)',
  },
];

/** `aibgen doctor`: the outside programs aibgen found, their versions, and what each enables. */
export async function doctor(options: { timeoutMs?: number } = {}): Promise<ToolReport[]> {
  return Promise.all(
    PROBES.map(async (probe): Promise<ToolReport> => {
      const path = probe.find();
      const base = { name: probe.name, enables: probe.enables, without: probe.without };
      if (!path) return { ...base, found: false };
      const result = await boundedRun(path, probe.args, { timeoutMs: options.timeoutMs ?? 30_000 });
      const version = result.exitCode === 0 ? probe.version(result.stdout) : undefined;
      return { ...base, found: true, path, version: version ? sanitizeLine(version, 40) : 'unknown (it did not answer its version)' };
    }),
  );
}
