import { createTwoFilesPatch } from 'diff';

/**
 * A unified diff of a stale generated file against what the build would write, as lines (the
 * `diff` package: Myers' algorithm, linear in memory, the format every reviewer reads).
 */
export function unifiedDiff(name: string, before: string, after: string, maxLines = 80): string[] {
  const patch = createTwoFilesPatch(`${name} (on disk)`, `${name} (built)`, before, after, undefined, undefined, { context: 2 });
  const lines = patch.split('\n').filter((line, i) => i > 0 && !line.startsWith('====') && line !== '' && line !== '\\ No newline at end of file');
  return lines.length > maxLines ? [...lines.slice(0, maxLines), `... (${lines.length - maxLines} more diff lines)`] : lines;
}
