/** One script to lint: a file, or the inline commands of one template step joined into a script. */
export interface LintUnit {
  /** Shown in findings (a path, or the template's path for inline commands). */
  file: string;
  language: 'shell' | 'powershell';
  /** Which shell parses a shell unit (from its #! line; inline Shell commands run under /bin/sh -e). */
  shell: 'sh' | 'bash' | 'other';
  bytes: Buffer;
  /** Where the bytes are on disk, when they are (engines read them there); else a scratch copy is made. */
  path?: string;
  kind: 'file' | 'inline';
  /** The deprovisioning override: the one script allowed to generalize the VM. */
  override: boolean;
  /** For inline commands: a line and column of the joined text -> the place in the template. */
  locate?: (line: number, column: number) => { line: number; column: number; pointer?: string };
  /** For inline commands: what to call the step in messages (`customize[3] "install"`). */
  label?: string;
  /** Some lines are ARM expressions, evaluated at deployment (they may set variables the rest uses). */
  hasExpressions?: boolean;
}

/** The shell a script's #! line names; a script without one runs under /bin/sh. */
export function shellOf(text: string): 'sh' | 'bash' | 'other' {
  const first = /^(?:\uFEFF)?#!\s*(\S+)(?:\s+(\S+))?/.exec(text);
  if (!first) return 'sh';
  const program = ((first[1] as string).endsWith('/env') ? (first[2] ?? '') : (first[1] as string)).split('/').pop() ?? '';
  if (program === 'bash') return 'bash';
  if (program === 'sh' || program === 'dash' || program === 'ash' || program === 'busybox') return 'sh';
  return 'other';
}

export function isOverrideName(name: string): boolean {
  return /(^|[\\/])DeprovisioningScript(\.[0-9a-f]{12})?\.(sh|ps1)$/i.test(name);
}
