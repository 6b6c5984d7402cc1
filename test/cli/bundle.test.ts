import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../bundle-helpers.js';
import { aibgen, run, tempDir } from '../helpers.js';

let dir: string;
const longName = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(90)}.txt`;
const veryLong = `${'x'.repeat(120)}/${'y'.repeat(200)}.txt`;

/** A payload with everything a round trip must keep. */
async function makePayload(root: string, order: 'forward' | 'reverse' = 'forward'): Promise<void> {
  const files: [string, string, number][] = [
    ['README.md', '# site\n', 0o644],
    ['bin/install.sh', '#!/bin/sh\necho install\n', 0o755],
    ['conf/nginx.conf', 'server { listen 80; }\r\n', 0o644],
    ['ünïcødé/名前.txt', 'unicode\n', 0o644],
    ['empty-file', '', 0o644],
    [longName, 'long path\n', 0o644],
    [veryLong, 'very long path\n', 0o600],
  ];
  const list = order === 'forward' ? files : [...files].reverse();
  for (const [path, content, mode] of list) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
    await chmod(join(root, path), mode);
  }
  await mkdir(join(root, 'logs/empty'), { recursive: true });
  await symlink('conf/nginx.conf', join(root, 'nginx.conf'));
  await symlink('../README.md', join(root, 'bin/readme-link'));
}

const sha = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

beforeAll(async () => {
  dir = await tempDir();
  await makePayload(join(dir, 'payload'));
});

describe('aibgen bundle round trip with the real tools', () => {
  it('GNU tar extracts our tar.gz to the same tree, without a warning', async () => {
    const result = await aibgen(['bundle', 'payload', '-o', 'site.tar.gz', '--json'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const info = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(info).toEqual({
      path: 'site.tar.gz',
      format: 'tar.gz',
      size: expect.any(Number),
      sha256: await sha(join(dir, 'site.tar.gz')),
      files: 9,
      bytesIn: expect.any(Number),
    });
    await mkdir(join(dir, 'out-tar'));
    const extract = await run('tar', ['-xzf', '../site.tar.gz'], { cwd: join(dir, 'out-tar') });
    expect(extract.stderr).toBe('');
    expect(extract.exitCode).toBe(0);
    expect(await readTree(join(dir, 'out-tar'))).toEqual(await readTree(join(dir, 'payload')));
    const listing = await run('tar', ['-tvzf', 'site.tar.gz'], { cwd: dir });
    expect(listing.stdout).toContain('-rwxr-xr-x 0/0');
    expect(listing.stdout).toContain('1980-01-01 00:00 bin/install.sh');
    expect(listing.stdout).not.toMatch(/-rw-------/); // group/other bits are normalised, 0600 becomes 0644
    expect((await run('gzip', ['-t', 'site.tar.gz'], { cwd: dir })).exitCode).toBe(0);
  });

  it('unzip extracts our zip to the same tree (modes, symlinks, empty folders)', async () => {
    const result = await aibgen(['bundle', 'payload', '-o', 'site.zip'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`sha256  ${await sha(join(dir, 'site.zip'))}`);
    await mkdir(join(dir, 'out-zip'));
    const extract = await run('unzip', ['-q', '../site.zip'], { cwd: join(dir, 'out-zip') });
    expect(extract.stderr).toBe('');
    expect(extract.exitCode).toBe(0);
    expect(await readTree(join(dir, 'out-zip'))).toEqual(await readTree(join(dir, 'payload')));
    expect((await run('unzip', ['-tq', 'site.zip'], { cwd: dir })).stdout).toContain('No errors detected');
  });
});

describe('tar headers, read back by node-tar (an independent parser)', () => {
  it('carry uid/gid 0, empty owner names, the fixed mtime, 0644/0755 modes, and no atime/ctime', async () => {
    expect((await aibgen(['bundle', 'payload', '-o', 'headers.tar.gz'], { cwd: dir })).exitCode).toBe(0);
    const entries: {
      path: string;
      type: string;
      mode: number;
      uid: number;
      gid: number;
      uname: string;
      gname: string;
      mtime: number;
      atime?: Date;
      ctime?: Date;
      pax: boolean;
    }[] = [];
    await tar.t({
      file: join(dir, 'headers.tar.gz'),
      onReadEntry: (entry) => {
        entries.push({
          path: entry.path,
          type: entry.type,
          mode: entry.mode ?? -1,
          uid: entry.uid ?? -1,
          gid: entry.gid ?? -1,
          uname: entry.uname ?? '',
          gname: entry.gname ?? '',
          mtime: entry.mtime?.getTime() ?? -1,
          atime: entry.atime,
          ctime: entry.ctime,
          pax: Boolean(entry.extended),
        });
      },
    });
    expect(entries.map((e) => e.path)).toContain(longName);
    expect(entries.map((e) => e.path)).toContain(veryLong);
    for (const e of entries) {
      expect(e, e.path).toMatchObject({ uid: 0, gid: 0, uname: '', gname: '', mtime: 315532800000 });
      expect(e.atime, e.path).toBeUndefined();
      expect(e.ctime, e.path).toBeUndefined();
      expect([0o644, 0o755, 0o777], e.path).toContain(e.mode);
    }
    // Only paths that no ustar prefix/name split can hold need a pax record.
    expect(entries.filter((e) => e.pax).map((e) => e.path)).toEqual([`${'x'.repeat(120)}/`, veryLong]);
    const sorted = [...entries.map((e) => e.path.replace(/\/$/, ''))].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(entries.map((e) => e.path.replace(/\/$/, ''))).toEqual(sorted);
  });
});

describe('aibgen bundle determinism', () => {
  it('same bytes after touching files, changing group/other bits, and recreating the tree in another order under another umask', async () => {
    for (const format of ['tar.gz', 'zip']) {
      const first = await aibgen(['bundle', 'payload', '-o', `a.${format}`], { cwd: dir });
      expect(first.exitCode).toBe(0);
      for (const entry of await readTree(join(dir, 'payload'))) {
        if (entry.kind === 'symlink') continue;
        await utimes(join(dir, 'payload', entry.path), new Date('2031-05-06T07:08:09Z'), new Date('2031-05-06T07:08:09Z'));
        if (entry.kind === 'file') await chmod(join(dir, 'payload', entry.path), entry.executable ? 0o775 : 0o664);
      }
      const touched = await aibgen(['bundle', 'payload', '-o', `b.${format}`], { cwd: dir });
      expect(touched.exitCode).toBe(0);
      expect(await sha(join(dir, `b.${format}`))).toBe(await sha(join(dir, `a.${format}`)));

      const other = join(dir, `recreated-${format.replace('.', '')}`);
      const maker = new URL('./bundle-maker.mjs', import.meta.url).pathname;
      const made = await run('sh', ['-c', 'umask 077 && node -e "import(process.argv[1]).then((m) => m.make(process.argv[2]))" "$0" "$1"', maker, other]);
      expect(made.stderr).toBe('');
      const recreated = await aibgen(['bundle', other, '-o', `c.${format}`], { cwd: dir });
      expect(recreated.exitCode).toBe(0);
      expect(await sha(join(dir, `c.${format}`))).toBe(await sha(join(dir, `a.${format}`)));
    }
  });

  it('SOURCE_DATE_EPOCH sets the stored time', async () => {
    const result = await aibgen(['bundle', 'payload', '-o', 'epoch.tar.gz'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(result.exitCode).toBe(0);
    const listing = await run('tar', ['--utc', '-tvzf', 'epoch.tar.gz'], { cwd: dir, env: { TZ: 'UTC' } });
    expect(listing.stdout).toContain('2023-11-14 22:13 README.md');
  });
});
