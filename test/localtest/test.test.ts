import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, aibgen, hasTool, isRoot, run, tempDir } from '../helpers.js';
import { makeProject } from '../safety/helpers.js';

/**
 * aibgen test, for real: systemd-nspawn (root) on a Debian root filesystem made by mmdebstrap
 * (cached under TMPDIR between runs). Projects with File, script, payload and inline steps run as
 * the unprivileged build user with sudo; failures name the step and stop the run; a tampered
 * artifact never runs; the root filesystem and the host's /etc are unchanged.
 */

const ready = isRoot && hasTool('systemd-nspawn') && hasTool('mmdebstrap', ['--version']);
const required = process.env.CI === 'true';
const nspawnIt = it.skipIf(!ready && !required);
if (!ready && !required) console.warn('skipping the aibgen test tests: they need root, systemd-nspawn and mmdebstrap');

let rootfs: string;

/** A Debian bookworm root filesystem (minbase with sudo, curl, CA certificates and systemd), made once and cached. */
async function debianRootfs(): Promise<string> {
  const cache = join(tmpdir(), 'aibgen-rootfs-cache');
  const tar = join(cache, 'bookworm-systemd.tar');
  if (existsSync(tar)) return tar;
  await mkdir(cache, { recursive: true });
  const partial = `${tar}.partial-${process.pid}`;
  const made = await run('mmdebstrap', ['--variant=minbase', '--include=sudo,curl,ca-certificates,systemd', 'bookworm', partial], { timeout: 900_000 });
  if (made.exitCode !== 0) throw new Error(`mmdebstrap failed: ${made.stderr.slice(-2000)}`);
  await rename(partial, tar);
  return tar;
}

beforeAll(async () => {
  if (!ready) {
    if (required) throw new Error('aibgen test needs root, systemd-nspawn and mmdebstrap under CI=true; .ci/run installs them');
    return;
  }
  rootfs = await debianRootfs();
}, 900_000);

interface Json {
  steps: { name: string; status: string; exitCode: number | null; seconds: number; reason?: string }[];
  deprovision: { status: string; reason: string };
}

const sha = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

async function goodProject(): Promise<string> {
  const root = await makeProject(join(await tempDir(), 'good'), {
    customize: [
      { name: 'greeting', file: 'files/greeting.txt', destination: '/tmp/greeting.txt' },
      { name: 'install', script: 'scripts/install.sh' },
      { name: 'site', payload: 'payload/site', destination: '/srv/site' },
      { name: 'check', inline: ['test "$(cat /etc/aibgen-greeting)" = "hello from a File step"', 'test -f /srv/site/index.html', 'test "$(id -un)" = packer'] },
      { deprovision: {} },
    ],
  });
  await mkdir(join(root, 'files'), { recursive: true });
  await writeFile(join(root, 'files', 'greeting.txt'), 'hello from a File step\n');
  await writeFile(
    join(root, 'scripts', 'install.sh'),
    '#!/bin/bash\nset -euo pipefail\n# Needs root for /etc: through sudo, as on the build VM.\nsudo install -m 0644 /tmp/greeting.txt /etc/aibgen-greeting\necho installed\n',
  );
  const built = await aibgen(['build', root, '--quiet', '--no-lint']);
  expect(built.exitCode, built.stderr).toBe(0);
  return root;
}

describe('aibgen test runs the Linux steps in a container', () => {
  nspawnIt(
    'a good project: a File step read by a sudo script, a payload extracted, an inline check of what they wrote; every step ok',
    { timeout: 300_000 },
    async () => {
      const root = await goodProject();
      const tarBefore = await sha(rootfs);
      const etcBefore = await Promise.all(['/etc/passwd', '/etc/group', '/etc/hosts'].map(sha));
      const sudoersBefore = await readdir('/etc/sudoers.d').catch(() => []);
      const result = await aibgen(['test', root, '--rootfs', rootfs, '--json', '--network', 'none'], { timeout: 280_000 });
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as Json;
      expect(report.steps.map((s) => [s.name, s.status])).toEqual([
        ['greeting', 'ok'],
        ['install', 'ok'],
        ['site-download', 'ok'],
        ['site-extract', 'ok'],
        ['check', 'ok'],
        ['deprovision', 'ok'],
      ]);
      expect(report.steps.every((s) => s.exitCode === 0 && typeof s.seconds === 'number')).toBe(true);
      expect(report.deprovision.status).toBe('ok');
      // Nothing outside the scratch folder changed: the root filesystem, the host's users and sudoers.
      expect(await sha(rootfs)).toBe(tarBefore);
      expect(await Promise.all(['/etc/passwd', '/etc/group', '/etc/hosts'].map(sha))).toEqual(etcBefore);
      expect(await readdir('/etc/sudoers.d').catch(() => [])).toEqual(sudoersBefore);
      expect(existsSync('/etc/aibgen-greeting')).toBe(false);
      expect((await readdir(tmpdir())).filter((n) => n.startsWith(`aibgen-test-run-`))).toEqual([]);
    },
  );

  nspawnIt('a failing inline step is named with its exit code and its place in aibgen.json; later steps do not run', { timeout: 300_000 }, async () => {
    const root = await makeProject(join(await tempDir(), 'failing'), {
      customize: [
        { name: 'first', inline: ['echo first'] },
        { name: 'broken', inline: ['echo about to fail', 'ls /no/such/folder'] },
        { name: 'never', inline: ['touch /tmp/never-ran'] },
      ],
    });
    expect((await aibgen(['build', root, '--quiet', '--no-lint'])).exitCode).toBe(0);
    const result = await aibgen(['test', root, '--rootfs', rootfs, '--network', 'none'], { timeout: 280_000 });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/FAILED customize\[1\] "broken" \(Shell\) with exit code 2\n {2}from \S*aibgen\.json:\d+:\d+ {2}customize\[1\] "broken"/);
    expect(result.stdout).toContain('ls: cannot access');
    expect(result.stdout).toContain('1 ok, 1 failed, 1 skipped');
    const json = JSON.parse((await aibgen(['test', root, '--rootfs', rootfs, '--network', 'none', '--json'], { timeout: 280_000 })).stdout) as Json;
    expect(json.steps.map((s) => [s.name, s.status, s.exitCode])).toEqual([
      ['first', 'ok', 0],
      ['broken', 'failed', 2],
      ['never', 'skipped', null],
    ]);
  });

  nspawnIt('a tampered artifact is refused before it runs', { timeout: 300_000 }, async () => {
    const root = await goodProject();
    const records = JSON.parse(await readFile(join(root, 'dist', 'artifacts.json'), 'utf8')) as { name: string; file: string }[];
    const install = records.find((r) => r.name === 'install')!;
    await writeFile(join(root, install.file), '#!/bin/bash\ntouch /tmp/tampered-ran\n');
    const result = await aibgen(['test', root, '--rootfs', rootfs, '--network', 'none', '--json', '--keep'], { timeout: 280_000 });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as Json & { kept: string };
    const step = report.steps.find((s) => s.name === 'install')!;
    expect(step).toMatchObject({ status: 'failed', exitCode: null });
    expect(step.reason).toMatch(/nothing was run/);
    expect(existsSync(join(report.kept, 'tmp', 'tampered-ran'))).toBe(false);
    await run('rm', ['-rf', report.kept]);
  });

  it('a Windows project cannot run here: exit 2, and says what lint checks instead', async () => {
    const root = await makeProject(join(await tempDir(), 'windows'), {});
    const project = JSON.parse(await readFile(join(root, 'aibgen.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(root, 'aibgen.json'), JSON.stringify({ ...project, os: 'windows', customize: [{ name: 'hello', inline: ['Write-Output hi'] }] }));
    await aibgen(['build', root, '--quiet', '--no-lint']);
    const result = await aibgen(['test', root, '--rootfs', '/nonexistent.tar']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /Windows image: its steps need Windows and cannot run here\. aibgen lint checks its PowerShell|needs root|needs systemd-nspawn/,
    );
  });

  // Killed once its step runs, or at once, while systemd-nspawn may still be setting the container up (its first
  // process then carries no marker yet, and outlives nspawn): either way the next run leaves nothing running.
  for (const when of ['once its step runs', 'while its container starts'] as const) {
    nspawnIt(`a run killed with kill -9 ${when} leaves a scratch folder and a container that the next run sweeps away`, { timeout: 300_000 }, async () => {
      const root = await makeProject(join(await tempDir(), 'killed'), { customize: [{ name: 'slow', inline: ['sleep 300'] }] });
      expect((await aibgen(['build', root, '--quiet', '--no-lint'])).exitCode).toBe(0);
      const child = spawn('node', [CLI, 'test', root, '--rootfs', rootfs, '--network', 'none'], { stdio: ['ignore', 'ignore', 'pipe'] });
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('[1/1] slow')) resolve();
        });
      });
      if (when === 'once its step runs')
        for (let tries = 0; (await run('pgrep', ['-f', 'sleep 300'])).stdout.trim() === ''; tries++) {
          expect(tries, 'the step never started').toBeLessThan(600);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      const folder = `aibgen-test-run-${child.pid}-`;
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      expect((await readdir(tmpdir())).some((n) => n.startsWith(folder))).toBe(true);
      // Give a container that was still starting the time to start its step.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const next = await makeProject(join(await tempDir(), 'next'), { customize: [{ name: 'quick', inline: ['true'] }] });
      expect((await aibgen(['build', next, '--quiet', '--no-lint'])).exitCode).toBe(0);
      expect((await aibgen(['test', next, '--rootfs', rootfs, '--network', 'none'], { timeout: 280_000 })).exitCode).toBe(0);
      expect((await readdir(tmpdir())).some((n) => n.startsWith(folder))).toBe(false);
      const sleepers = await run('pgrep', ['-f', 'sleep 300']);
      expect(sleepers.stdout.trim()).toBe('');
      expect((await readFile('/proc/self/mountinfo', 'utf8')).includes(folder)).toBe(false);
    });
  }

  nspawnIt('the linux-nginx example runs, nginx from Debian', { timeout: 600_000 }, async () => {
    const example = join(await tempDir(), 'linux-nginx');
    await run('cp', ['-r', join(ROOT, 'examples', 'linux-nginx'), example]);
    const built = await aibgen(['build', example, '--quiet']);
    expect(built.exitCode, built.stderr).toBe(0);
    const started = Date.now();
    const result = await aibgen(['test', example, '--rootfs', rootfs, '--json'], { timeout: 580_000 });
    const report = JSON.parse(result.stdout) as Json;
    expect(
      report.steps.filter((s) => s.status !== 'ok'),
      JSON.stringify(report, null, 2),
    ).toEqual([]);
    expect(result.exitCode).toBe(0);
    console.log(`the linux-nginx example ran in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await stat(example);
  });
});
