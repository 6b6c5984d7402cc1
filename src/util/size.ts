/**
 * Sizes on the command line (`--max-size 20MB`). Hand-written: the accepted forms are few and
 * documented (decimal and binary units, no exponents), and the parser is pinned by module tests;
 * a library (bytes, filesize) would accept more forms than the README promises.
 */
const UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
};

/** Parses "20MB", "512KiB", "1.5GB" or a plain byte count. Returns undefined when not a size. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!match) return undefined;
  const factor = UNITS[(match[2] ?? '').toUpperCase()];
  if (factor === undefined) return undefined;
  const bytes = Number(match[1]) * factor;
  return Number.isFinite(bytes) ? Math.round(bytes) : undefined;
}

export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(2)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}
