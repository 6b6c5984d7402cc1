import { LineIndex } from '../../util/text-position.js';
import type { LintUnit } from '../unit.js';
import type { ShellAnalysis, WrittenText } from './commands.js';

/** Where AIB runs the Linux deprovisioning override. */
export const LINUX_OVERRIDE_PATH = '/tmp/DeprovisioningScript.sh';

/**
 * The deprovisioning override a script writes (`tee /tmp/DeprovisioningScript.sh <<EOF`, `echo ... >
 * /tmp/DeprovisioningScript.sh`), as a unit of its own: it is checked as the override (it may, and
 * should, generalize the VM), with findings placed on the lines of the script that writes it.
 */
export function writtenOverride(parent: LintUnit, parentText: string, analysis: ShellAnalysis): { unit: LintUnit; at: number } | undefined {
  const write = analysis.writes.find((w) => w.target === LINUX_OVERRIDE_PATH);
  if (!write || write.pieces.length === 0) return undefined;
  const pieces: { piece: WrittenText; offset: number }[] = [];
  let text = '';
  for (const piece of write.pieces) {
    pieces.push({ piece, offset: text.length });
    text += piece.text;
  }
  const own = new LineIndex(text);
  const parentLines = new LineIndex(parentText);
  const toParent = (offset: number): number => {
    let i = pieces.length - 1;
    while (i > 0 && (pieces[i] as { offset: number }).offset > offset) i--;
    const { piece, offset: begins } = pieces[i] as { piece: WrittenText; offset: number };
    return piece.start + Math.min(offset - begins, Math.max(0, piece.text.length - 1));
  };
  const unit: LintUnit = {
    file: parent.file,
    language: 'shell',
    shell: /^#!\s*\S*\bsh\b/.test(text) && !/bash/.test(text.split('\n')[0] ?? '') ? 'sh' : 'bash',
    bytes: Buffer.from(text, 'utf8'),
    kind: 'inline',
    override: true,
    label: `${parent.label ? `${parent.label}, ` : ''}the override written to ${LINUX_OVERRIDE_PATH}`,
    locate: (line, column) => {
      const at = parentLines.position(toParent(own.lineStart(line) + column - 1));
      return parent.locate ? parent.locate(at.line, at.column) : at;
    },
  };
  return { unit, at: (write.pieces[0] as WrittenText).start };
}
