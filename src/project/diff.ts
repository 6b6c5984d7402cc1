/** A small unified-style line diff (LCS), enough to show what is stale in a generated file. */
export function lineDiff(before: string, after: string, context = 2, maxLines = 60): string[] {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  if (a.length * b.length > 25_000_000) return [`- (${a.length} lines)`, `+ (${b.length} lines)`];
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      (lcs[i] as number[])[j] = a[i] === b[j] ? ((lcs[i + 1] as number[])[j + 1] as number) + 1 : Math.max((lcs[i + 1] as number[])[j] as number, (lcs[i] as number[])[j + 1] as number);
    }
  }
  const ops: { tag: ' ' | '-' | '+'; line: string; old: number; new: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push({ tag: ' ', line: a[i++] as string, old: i, new: ++j });
    else if (i < a.length && (j >= b.length || ((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number))) ops.push({ tag: '-', line: a[i++] as string, old: i, new: j });
    else ops.push({ tag: '+', line: b[j++] as string, old: i, new: j });
  }
  const out: string[] = [];
  let lastShown = -1;
  ops.forEach((op, index) => {
    if (op.tag === ' ') return;
    const from = Math.max(lastShown + 1, index - context);
    if (from > lastShown + 1 && out.length > 0) out.push('...');
    if (from > lastShown + 1) out.push(`@@ line ${ops[from]?.old ?? 0} @@`);
    for (let k = from; k <= Math.min(ops.length - 1, index + context); k++) {
      if (k <= lastShown) continue;
      const shown = ops[k] as (typeof ops)[number];
      out.push(`${shown.tag} ${shown.line}`);
      lastShown = k;
    }
  });
  return out.length > maxLines ? [...out.slice(0, maxLines), `... (${out.length - maxLines} more diff lines)`] : out;
}
