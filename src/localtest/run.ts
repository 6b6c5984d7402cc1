import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AibgenError, UsageError } from '../errors.js';
import { fetchAndHash, type FetchOptions } from '../fill/index.js';
import { loadProject } from '../project/index.js';
import { findNspawn, runInContainer } from './engine.js';
import { RUN_MARKER, sweepLeftoverRuns } from './leftovers.js';
import { prepareRoot, type PreparedRoot } from './rootfs.js';
import { planOf, type PlannedStep } from './plan.js';

/**
 * `aibgen test`: the built template's Linux steps, run in order as AIB runs them, in a throwaway
 * container made from a root filesystem: File steps written as the unprivileged build user,
 * Shell scripts and inline commands run as that user (with passwordless sudo, as on the build VM),
 * every downloaded byte checked against its sha256Checksum before anything runs. The root
 * filesystem is never modified (the container runs on an overlay over it, or a copy, in a scratch
 * folder removed at the end and swept by the next run after a kill -9: see rootfs.ts); the host is
 * not written outside that folder and aibgen's cache (where a tar is unpacked once).
 */

export const BUILD_USER = 'packer';

export type StepStatus = 'ok' | 'failed' | 'skipped';

export interface StepResult {
  list: 'customize' | 'inVMValidations';
  index: number;
  name: string;
  type: string;
  status: StepStatus;
  exitCode: number | null;
  seconds: number;
  /** Why it failed before running, or why it was skipped. */
  reason?: string;
  /** Where the project describes it. */
  source?: string;
  /** The last lines of its output. */
  tail: string[];
}

export type TestEvent =
  | { kind: 'phase'; message: string }
  | { kind: 'start'; step: PlannedStep; number: number; total: number }
  | { kind: 'line'; step: PlannedStep; line: string }
  | { kind: 'end'; result: StepResult };

export interface TestOptions {
  /** A root folder, or a .tar, .tar.gz or .tar.xz of one. */
  rootfs: string;
  network?: 'host' | 'none';
  /** Keep the container's root folder for inspection (its path is in the result). */
  keep?: boolean;
  /** Start at this step (by name); the earlier ones are skipped. */
  from?: string;
  /** Go on after a failed step (AIB stops: onCustomizerError abort). */
  continueOnError?: boolean;
  /** One step's time limit (default: the template's buildTimeoutInMinutes, else 240). */
  stepTimeoutMinutes?: number;
  fetch?: FetchOptions;
  onEvent?: (event: TestEvent) => void;
}

export interface TestResult {
  template: string;
  steps: StepResult[];
  /** The deprovisioning override at /tmp/DeprovisioningScript.sh: present, executable by the build user, parsed by bash -n (never run). */
  deprovision: { status: StepStatus; reason: string };
  /** Every step ok and the override (if any) sound. */
  ok: boolean;
  /** The container's root folder, when kept. */
  kept?: string;
}

const SETUP = `set -e
if ! id ${BUILD_USER} >/dev/null 2>&1; then
  if command -v useradd >/dev/null 2>&1; then useradd -m -s /bin/bash ${BUILD_USER}
  else echo '${BUILD_USER}:x:1000:1000::/home/${BUILD_USER}:/bin/sh' >> /etc/passwd; echo '${BUILD_USER}:x:1000:' >> /etc/group; mkdir -p /home/${BUILD_USER}; chown 1000:1000 /home/${BUILD_USER}; fi
fi
grep -q aibgen-build /etc/hosts 2>/dev/null || echo '127.0.1.1 aibgen-build' >> /etc/hosts
mkdir -p /etc/sudoers.d /tmp
chmod 1777 /tmp
echo '${BUILD_USER} ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/90-aibgen-${BUILD_USER}
chmod 0440 /etc/sudoers.d/90-aibgen-${BUILD_USER}
command -v sudo >/dev/null 2>&1 || echo 'aibgen: no sudo in this root filesystem'
`;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A step's bytes: the project's artifact, or the outside URL downloaded; never trusted before its checksum is checked. */
async function bytesOf(step: PlannedStep, scratch: string, options: TestOptions): Promise<Buffer | string> {
  if (step.artifact) return readFile(step.artifact);
  if (!step.uri) return 'it names no URI';
  if (!/^https?:\/\//i.test(step.uri)) return `${step.uri} is not an http(s) URL`;
  if ((options.network ?? 'host') === 'none') return `${step.uri} is not an artifact of this project, and --network none forbids downloading it`;
  const path = join(scratch, `download-${step.list}-${step.index}`);
  const fd = openSync(path, 'w');
  try {
    await fetchAndHash(step.uri, { ...options.fetch, onChunk: (chunk) => void writeSync(fd, chunk) });
  } catch (error) {
    return error instanceof AibgenError ? error.message : String(error);
  } finally {
    closeSync(fd);
  }
  return readFile(path);
}

export async function testProject(dir: string, options: TestOptions): Promise<TestResult> {
  if (process.platform !== 'linux') throw new UsageError('aibgen test runs Linux steps in a Linux container: it needs Linux');
  const nspawn = findNspawn();
  if (!nspawn) throw new UsageError('aibgen test needs systemd-nspawn: apt-get install systemd-container (Debian, Ubuntu), or dnf install systemd-container');
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    throw new UsageError('aibgen test runs systemd-nspawn, which needs root: run it with sudo (the steps themselves run as an unprivileged build user)');
  const project = await loadProject(dir);
  const plan = await planOf(project);
  if (plan.os === 'windows')
    throw new UsageError(
      "the project builds a Windows image: its steps need Windows and cannot run here. aibgen lint checks its PowerShell with PowerShell's own parser and the AIB rules; aibgen validate checks the template",
    );
  const stepTimeoutMs = (options.stepTimeoutMinutes ?? plan.timeoutMinutes) * 60_000;
  const events = options.onEvent ?? (() => undefined);

  await sweepLeftoverRuns();
  const scratch = await mkdtemp(join(tmpdir(), `aibgen-test-run-${process.pid}-`));
  // The container's /tmp, kept from step to step (the File customizer writes there for later steps).
  const tmp = join(scratch, 'tmp');
  const results: StepResult[] = [];
  let kept: string | undefined;
  let prepared: PreparedRoot | undefined;
  try {
    events({ kind: 'phase', message: `preparing the root filesystem from ${options.rootfs}` });
    prepared = await prepareRoot(options.rootfs, scratch, { keep: options.keep });
    events({ kind: 'phase', message: `root filesystem: ${prepared.how}` });
    const root = prepared.root;
    await mkdir(tmp, { mode: 0o1777 });
    await chmod(tmp, 0o1777);
    const setup = await runInContainer(nspawn, { root, tmp, user: 'root', command: ['/bin/sh', '-c', SETUP], network: 'none', timeoutMs: 5 * 60_000 });
    if (setup.exitCode !== 0)
      throw new UsageError(
        `the root filesystem cannot run the container, or the build user cannot be made in it: ${setup.tail.slice(-5).join(' / ') || `exit ${setup.exitCode ?? setup.signal}`}`,
      );
    if (setup.tail.some((l) => l.includes('no sudo')))
      events({ kind: 'phase', message: 'warning: this root filesystem has no sudo: steps that use it fail (the build VM has it)' });

    let started = options.from === undefined;
    let stopped = false;
    const runnable = plan.steps;
    for (const [n, step] of runnable.entries()) {
      const base = { list: step.list, index: step.index, name: step.name, type: step.type, ...(step.source ? { source: step.source } : {}) };
      if (!started && step.name === options.from) started = true;
      if (!started || stopped) {
        const result: StepResult = {
          ...base,
          status: 'skipped',
          exitCode: null,
          seconds: 0,
          reason: stopped ? 'an earlier step failed' : `before --from ${options.from}`,
          tail: [],
        };
        results.push(result);
        events({ kind: 'end', result });
        continue;
      }
      events({ kind: 'start', step, number: n + 1, total: runnable.length });
      const began = Date.now();
      const finish = (status: StepStatus, exitCode: number | null, tail: string[], reason?: string): StepResult => {
        const result: StepResult = { ...base, status, exitCode, seconds: Math.round((Date.now() - began) / 100) / 10, tail, ...(reason ? { reason } : {}) };
        results.push(result);
        events({ kind: 'end', result });
        if (status === 'failed' && !options.continueOnError) stopped = true;
        return result;
      };
      if (step.kind === 'unsupported') {
        finish('failed', null, [], step.why);
        continue;
      }
      let input: Buffer;
      let command: string[];
      if (step.kind === 'inline') {
        // As Packer runs inline lines: a script under /tmp with #!/bin/sh -e (any failing line stops it).
        input = Buffer.from(`#!/bin/sh -e\n${(step.inline ?? []).join('\n')}\n`);
        command = ['/bin/sh', '-c', 'cat > "$1" && chmod +x "$1" && exec "$1"', 'sh', `/tmp/script_${step.list}_${step.index}.sh`];
      } else {
        const bytes = await bytesOf(step, scratch, options);
        if (typeof bytes === 'string') {
          finish('failed', null, [], `cannot get the file: ${bytes}`);
          continue;
        }
        // AIB checks the download against sha256Checksum before using it: a mismatch fails the step before anything runs.
        if (step.sha256 && sha256(bytes) !== step.sha256.toLowerCase()) {
          finish(
            'failed',
            null,
            [],
            `the file's SHA-256 is ${sha256(bytes)}, not the step's sha256Checksum ${step.sha256}: nothing was run (rebuild, or the artifact was changed)`,
          );
          continue;
        }
        input = bytes;
        command =
          step.kind === 'file'
            ? ['/bin/sh', '-c', 'cat > "$1"', 'sh', step.destination ?? '']
            : ['/bin/sh', '-c', 'cat > "$1" && chmod +x "$1" && exec "$1"', 'sh', `/tmp/script_${step.list}_${step.index}.sh`];
      }
      const run = await runInContainer(nspawn, {
        root,
        tmp,
        user: BUILD_USER,
        command,
        input,
        network: options.network ?? 'host',
        timeoutMs: stepTimeoutMs,
        onLine: (line) => events({ kind: 'line', step, line }),
        env: {
          HOME: `/home/${BUILD_USER}`,
          USER: BUILD_USER,
          LOGNAME: BUILD_USER,
          PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          [RUN_MARKER]: String(process.pid),
        },
      });
      if (run.timedOut) finish('failed', null, run.tail, `it did not finish within ${Math.round(stepTimeoutMs / 60_000)} minute(s) and was stopped`);
      else if (run.exitCode === 0) finish('ok', 0, run.tail);
      else finish('failed', run.exitCode ?? null, run.tail, run.signal ? `killed by ${run.signal}` : undefined);
    }

    // The override AIB would run last: present, runnable by the build user (AIB runs it with /bin/sh, so reading it is what counts), parsed; never run (it would deprovision).
    let deprovision: TestResult['deprovision'];
    if (stopped) deprovision = { status: 'skipped', reason: 'a step failed' };
    else {
      const check = await runInContainer(nspawn, {
        root,
        tmp,
        user: BUILD_USER,
        command: [
          '/bin/sh',
          '-c',
          'f=/tmp/DeprovisioningScript.sh; [ -e "$f" ] || exit 3; [ -r "$f" ] || exit 4; if command -v bash >/dev/null; then bash -n "$f"; else sh -n "$f"; fi',
        ],
        network: 'none',
        timeoutMs: 60_000,
      });
      deprovision =
        check.exitCode === 3
          ? { status: 'skipped', reason: 'no override at /tmp/DeprovisioningScript.sh: AIB writes and runs its default (waagent -deprovision+user)' }
          : check.exitCode === 4
            ? { status: 'failed', reason: '/tmp/DeprovisioningScript.sh is there but the build user cannot read it, so it cannot be run' }
            : check.exitCode === 0
              ? { status: 'ok', reason: '/tmp/DeprovisioningScript.sh is there, the build user can run it, and bash -n parses it (it was not run)' }
              : { status: 'failed', reason: `bash -n cannot parse /tmp/DeprovisioningScript.sh: ${check.tail.slice(-3).join(' / ')}` };
    }
    if (options.keep) kept = scratch;
    const ok =
      results.every((r) => r.status !== 'failed') && deprovision.status !== 'failed' && results.some((r) => r.status === 'ok' || plan.steps.length === 0);
    return { template: plan.template, steps: results, deprovision, ok, ...(kept ? { kept } : {}) };
  } finally {
    await prepared?.release();
    if (!kept) await rm(scratch, { recursive: true, force: true });
  }
}
