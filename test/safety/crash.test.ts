import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashFile } from '../../src/checksum/index.js';
import { CLI, aibgen, tempDir } from '../helpers.js';
import { makeProject } from './helpers.js';

interface Step {
  scriptUri?: string;
  sourceUri?: string;
  sha256Checksum?: string;
}

/** A payload of tens of MB: text that compresses and random bytes that do not. */
async function payload(dir: string, round: number): Promise<void> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  const line = 'The quick brown fox jumps over the lazy dog. 0123456789\n';
  await writeFile(join(dir, 'text.txt'), line.repeat(300_000));
  await writeFile(join(dir, 'bin/random.bin'), randomBytes(8 * 1024 * 1024));
  await writeFile(join(dir, 'round.txt'), `round ${round}\n`);
}

/** What is on disk is usable: every checksum in the template matches the artifact its URI names. */
async function consistent(root: string): Promise<boolean> {
  const template = JSON.parse(await readFile(join(root, 'dist/template.json'), 'utf8')) as { properties: { customize: Step[] } };
  for (const step of template.properties.customize) {
    const uri = step.scriptUri ?? step.sourceUri;
    if (!uri) continue;
    const name = decodeURIComponent(new URL(uri).pathname.split('/').pop() as string);
    const digest = await hashFile(join(root, 'dist/artifacts', name)).catch(() => undefined);
    if (digest?.sha256 !== step.sha256Checksum) return false;
  }
  return true;
}

async function leftovers(root: string, tmp: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of [join(root, 'dist'), join(root, 'dist/artifacts')]) {
    for (const name of await readdir(dir).catch(() => [] as string[])) if (name.startsWith('.')) found.push(join(dir, name));
  }
  for (const name of await readdir(tmp)) found.push(join(tmp, name));
  return found;
}

function killAfter(args: string[], ms: number, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('node', [CLI, ...args], { stdio: 'ignore', env });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('killed or failed builds leave nothing wrong behind (safety 7)', () => {
  it.each([false, true])(
    'contentAddressed %s: kill -9 at random moments, then inspect, then a normal build repairs',
    { timeout: 300_000 },
    async (contentAddressed) => {
      const base = await tempDir();
      const tmp = join(base, 'tmp');
      await mkdir(tmp);
      const env = { ...process.env, TMPDIR: tmp, NO_COLOR: '1' };
      const root = await makeProject(join(base, 'p'), {
        contentAddressed,
        customize: [
          { name: 'setup', script: 'scripts/setup.sh.hbs' },
          { name: 'site', payload: 'payload/site', destination: '/srv/site', delivery: 'download' },
        ],
      });
      await payload(join(root, 'payload/site'), 0);
      const started = Date.now();
      expect((await aibgen(['build', root, '--quiet'], { env })).exitCode).toBe(0);
      const duration = Date.now() - started;
      let interrupted = 0; // rounds whose kill left the journal behind (reported when the test fails)
      for (let round = 1; round <= 12; round++) {
        await payload(join(root, 'payload/site'), round);
        await killAfter(['build', root, '--quiet'], Math.floor(Math.random() * duration * 1.2), env);
        const usable = await consistent(root);
        const lock = (await readdir(join(root, 'dist'))).includes('.aibgen-lock');
        // Either the template matches what is on disk, or the lock says a build was cut short.
        expect(usable || lock, `round ${round}: inconsistent and unmarked`).toBe(true);
        if (lock) {
          interrupted++;
          const check = await aibgen(['build', root, '--check'], { env });
          expect(check.exitCode).toBe(1);
        }
        expect((await readdir(tmp)).filter((n) => n.startsWith('aibgen-'))).toEqual([]);
      }
      const lockLeft = (await readdir(join(root, 'dist'))).includes('.aibgen-lock');
      const repaired = await aibgen(['build', root, '--quiet'], { env });
      if (lockLeft) expect(repaired.stderr).toContain('was interrupted; everything it may have left half-done is rewritten');
      else expect(repaired.stderr).toBe('');
      expect(repaired.exitCode, `after ${interrupted} interrupted round(s)`).toBe(0);
      expect(await consistent(root)).toBe(true);
      expect(await leftovers(root, tmp)).toEqual([]);
      const check = await aibgen(['build', root, '--check'], { env });
      expect(check.exitCode, check.stderr).toBe(0);
      expect(await leftovers(root, tmp)).toEqual([]);
    },
  );

  it('a failing step stops new ones, lets running ones finish, and leaves no staging folder', async () => {
    const base = await tempDir();
    const tmp = join(base, 'tmp');
    await mkdir(tmp);
    const root = await makeProject(join(base, 'p'), {
      customize: [
        { name: 'site', payload: 'payload/site', destination: '/srv/site' },
        { name: 'broken', script: 'scripts/broken.sh.hbs' },
        { name: 'setup', script: 'scripts/setup.sh.hbs' },
      ],
    });
    await writeFile(join(root, 'scripts/broken.sh.hbs'), '#!/bin/sh\necho {{missing}}\n');
    const result = await aibgen(['build', root], { env: { TMPDIR: tmp } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('missing variable "missing"');
    expect(await readdir(root)).not.toContain('dist');
    expect(await readdir(tmp)).toEqual([]);
  });
});
