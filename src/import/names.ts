/**
 * File names for imported sources: from the URL's last path segment, made safe on Linux and Windows
 * alike (no reserved characters or names, no trailing dot or space, a sane length), unique within
 * their folder, and with the extension the step kind needs (.sh for Shell, .ps1 for PowerShell).
 */

const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

export function baseNameOf(uri: string): string {
  let last = '';
  try {
    last = new URL(uri).pathname.split('/').filter(Boolean).pop() ?? '';
  } catch {
    last = uri.split(/[?#]/)[0]?.split('/').pop() ?? '';
  }
  try {
    last = decodeURIComponent(last);
  } catch {
    // Left as written.
  }
  return last;
}

export function safeFileName(raw: string, fallback: string): string {
  let name = raw
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[<>:"/\\|?*\s]+/g, '-')
    .replace(/^[.-]+/, '')
    .replace(/[. ]+$/, '');
  if (name.length > 100) {
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = name.slice(0, 100 - extension.length) + extension;
  }
  if (!name || RESERVED.test(name)) name = `${fallback}${name ? `-${name}` : ''}`;
  return name;
}

/** Gives the file the extension its step needs when it lacks it (`install` → `install.sh`). */
export function withExtension(name: string, extension: string | undefined): string {
  if (!extension || name.toLowerCase().endsWith(extension)) return name;
  return `${name}${extension}`;
}

/** Unique names in one folder, case-insensitively (Windows and macOS fold case): `a.sh`, `a-2.sh` ... */
export class NameBook {
  private readonly taken = new Set<string>();

  claim(name: string): string {
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const extension = dot > 0 ? name.slice(dot) : '';
    let candidate = name;
    for (let n = 2; this.taken.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}${extension}`;
    this.taken.add(candidate.toLowerCase());
    return candidate;
  }
}
