/**
 * What a rendered script needs by its type: `.sh` runs under /bin/sh on Linux (LF only, executable,
 * a shebang); `.ps1` runs under Windows PowerShell 5.1, which reads a BOM-less file as the ANSI code
 * page, so non-ASCII text gets a UTF-8 BOM, and lines end CRLF unless asked otherwise.
 */
export type ScriptKind = 'sh' | 'ps1' | 'other';
export type Eol = 'lf' | 'crlf';

export function scriptKind(name: string): ScriptKind {
  const lower = name.toLowerCase();
  if (lower.endsWith('.sh')) return 'sh';
  if (lower.endsWith('.ps1')) return 'ps1';
  return 'other';
}

export interface Finished {
  bytes: Buffer;
  mode: number;
  warnings: string[];
}

const toLf = (text: string): string => text.replace(/\r\n?/g, '\n');
const toCrlf = (text: string): string => toLf(text).replace(/\n/g, '\r\n');

/**
 * The line endings a template's own text gets before rendering. Applied to the template (and its
 * partials), not to the output, so that values inserted by {{sh x}} keep every byte, CR included.
 */
export function templateEol(kind: ScriptKind, eol: Eol | undefined): (text: string) => string {
  if (kind === 'sh') return toLf;
  if (kind === 'ps1') return eol === 'lf' ? toLf : toCrlf;
  if (eol === 'lf') return toLf;
  if (eol === 'crlf') return toCrlf;
  return (text) => text;
}

/** Mode, BOM and warnings for the rendered text. */
export function finishScript(text: string, kind: ScriptKind, options: { eol?: Eol; name: string }): Finished {
  const warnings: string[] = [];
  if (kind === 'sh') {
    if (options.eol === 'crlf') warnings.push(`${options.name}: --eol crlf ignored: shell scripts must have LF line endings`);
    if (!text.startsWith('#!')) warnings.push(`${options.name}: the first line is not a shebang (#!/bin/sh or #!/bin/bash); AIB runs Shell scripts directly`);
    return { bytes: Buffer.from(text.replace(/^\uFEFF/, ''), 'utf8'), mode: 0o755, warnings };
  }
  if (kind === 'ps1') {
    const body = text.replace(/^\uFEFF/, '');

    const bom = /[^\x00-\x7f]/.test(body) ? '\uFEFF' : '';
    return { bytes: Buffer.from(bom + body, 'utf8'), mode: 0o644, warnings };
  }
  return { bytes: Buffer.from(text, 'utf8'), mode: 0o644, warnings };
}
