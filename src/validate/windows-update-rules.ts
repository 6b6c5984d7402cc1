import type { Node } from 'jsonc-parser';
import { stringValue, valueNode } from '../template/index.js';
import { isDynamic, type Checker } from './checker.js';

/** Minutes in a duration such as 30m, 1h or 90s (undefined when it cannot be read). */
function minutes(duration: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(h|m|s)$/.exec(duration.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  return match[2] === 'h' ? n * 60 : match[2] === 's' ? n / 60 : n;
}

/** The troubleshooting guide's late Windows failures, as warnings. */
export function checkWindowsUpdates(checker: Checker, props: Node): void {
  const customize = valueNode(props, 'customize');
  if (customize?.type !== 'array') return;
  const steps = (customize.children ?? []).map((node, index) => ({ node, index, type: stringValue(node, 'type'), name: stringValue(node, 'name') }));
  const label = (s: (typeof steps)[number]) => `customize[${s.index}]${s.name !== undefined ? ` "${s.name}"` : ''}`;
  let updated = false;
  let restarted = false;
  const vmSize = valueNode(valueNode(props, 'vmProfile'), 'vmSize');
  for (const step of steps) {
    if (step.type === 'WindowsUpdate') {
      if (!restarted) {
        checker.report(
          'AIB187',
          step.node,
          `${label(step)}: Windows Update with no WindowsRestart before it: a restart still pending from earlier steps or the image fails it with 0x80240016; add a WindowsRestart step first`,
        );
      }
      if (!vmSize && !updated) {
        checker.report(
          'AIB186',
          step.node,
          `${label(step)}: Windows Update on the default VM size (no vmProfile.vmSize): updates and Sysprep time out on it; set a larger size such as Standard_D4s_v5`,
        );
      }
      updated = true;
    }
    if (step.type === 'WindowsRestart') {
      restarted = true;
      if (!updated) continue;
      const timeout = valueNode(step.node, 'restartTimeout');
      if (timeout && isDynamic(timeout)) continue;
      const value = timeout?.type === 'string' ? minutes(timeout.value as string) : undefined;
      if (!timeout || (value !== undefined && value < 30)) {
        checker.report(
          'AIB185',
          timeout ?? step.node,
          `${label(step)}: a restart after Windows Update with restartTimeout ${timeout ? `"${String(timeout.value)}"` : 'unset (5m)'}: installing updates often outlasts it (error 1190 in the troubleshooting guide); use "30m" or more`,
        );
      }
    }
  }
}
