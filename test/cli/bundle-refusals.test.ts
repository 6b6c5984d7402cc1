import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aibgen, isRoot, run, tempDir } from '../helpers.js';

let dir: string;
let socketServer: Server | undefined;

async function payload(name: string, files: Record<string, string> = { 'a.txt': 'a\n' }): Promise<string> {
  const root = join(dir, name);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

async function expectRefused(name: string, message: RegExp | string): Promise<void> {
  const result = await aibgen(['bundle', name, '-o', `${name}.tar.gz`], { cwd: dir });
  expect(result.exitCode).toBe(2);
  if (typeof message === 'string') expect(result.stderr).toContain(message);
  else expect(result.stderr).toMatch(message);
  expect(await readdir(dir)).not.toContain(`${name}.tar.gz`);
  expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}

beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => {
  socketServer?.close();
});

describe('aibgen bundle refuses what cannot be reproduced or escapes the folder', () => {
  it('a symlink that points outside the folder', async () => {
    const root = await payload('outside');
    await symlink('../../etc/passwd', join(root, 'escape'));
    await expectRefused('outside', 'outside/escape: is a symlink to ../../etc/passwd, outside the payload folder');
  });

  it('an absolute symlink', async () => {
    const root = await payload('absolute');
    await symlink('/etc/hostname', join(root, 'host'));
    await expectRefused('absolute', 'absolute/host: is a symlink to /etc/hostname, an absolute path');
  });

  it('--follow-symlinks stores the content behind an outside link instead', async () => {
    const root = await payload('follow');
    await writeFile(join(dir, 'outside-file.txt'), 'from outside\n');
    await symlink('../outside-file.txt', join(root, 'linked.txt'));
    const result = await aibgen(['bundle', 'follow', '-o', 'follow.tar.gz', '--follow-symlinks'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const listing = await run('tar', ['-tvzf', 'follow.tar.gz'], { cwd: dir });
    expect(listing.stdout).toMatch(/^-rw-r--r-- 0\/0 +13 .* linked\.txt$/m);
    expect((await run('tar', ['-xzOf', 'follow.tar.gz', 'linked.txt'], { cwd: dir })).stdout).toBe('from outside\n');
  });

  it('a FIFO', async () => {
    const root = await payload('fifo');
    expect((await run('mkfifo', [join(root, 'pipe')])).exitCode).toBe(0);
    await expectRefused('fifo', 'fifo/pipe: is a FIFO, which an archive cannot carry');
  });

  it('a socket', async () => {
    const root = await payload('socket');
    socketServer = createServer();
    await new Promise<void>((resolve) => socketServer?.listen(join(root, 'sock'), resolve));
    await expectRefused('socket', 'socket/sock: is a socket');
  });

  // Only root may create device nodes (CI runs as root).
  it.runIf(isRoot)('a device file', async () => {
    const root = await payload('device');
    expect((await run('mknod', [join(root, 'null'), 'c', '1', '3'])).exitCode).toBe(0);
    await expectRefused('device', 'device/null: is a device file');
  });

  it('an empty tree, and one that excludes leave empty', async () => {
    await mkdir(join(dir, 'empty/sub/deeper'), { recursive: true });
    await expectRefused('empty', 'empty: nothing to bundle (no files, only empty folders after excludes)');
    await payload('all-excluded', { 'a.log': 'x', 'b.log': 'y' });
    const result = await aibgen(['bundle', 'all-excluded', '-o', 'x.tar.gz', '--exclude', '*.log'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('nothing to bundle');
  });

  it('a name that is not valid UTF-8', async () => {
    const root = await payload('latin1');
    await writeFile(Buffer.concat([Buffer.from(`${root}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'x');
    await expectRefused('latin1', 'the name is not valid UTF-8');
  });

  it('a missing folder, and a --format that contradicts the file name (usage, exit 2)', async () => {
    const missing = await aibgen(['bundle', 'nope', '-o', 'nope.tar.gz'], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('cannot read payload folder nope: No such file or directory');
    await payload('fmt');
    const mismatch = await aibgen(['bundle', 'fmt', '-o', 'fmt.tar.gz', '--format', 'zip'], { cwd: dir });
    expect(mismatch.exitCode).toBe(2);
    expect(mismatch.stderr).toContain('--format zip does not match the output name fmt.tar.gz');
  });
});

describe('excludes', () => {
  it('leaves out .git/ always, .aibignore patterns and --exclude globs', async () => {
    await payload('excl', {
      'keep.txt': 'k',
      '.git/config': 'x',
      'node_modules/x/index.js': 'x',
      'logs/a.log': 'x',
      'src/app.js': 'x',
      'src/app.test.js': 'x',
      '.aibignore': 'node_modules/\n*.test.js\n',
    });
    const result = await aibgen(['bundle', 'excl', '-o', 'excl.tar.gz', '--exclude', 'logs/'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const listing = (await run('tar', ['-tzf', 'excl.tar.gz'], { cwd: dir })).stdout.split('\n').filter(Boolean);
    expect(listing).toEqual(['keep.txt', 'src/', 'src/app.js']);
  });

  it('an archive written inside the folder it packs does not pack itself', async () => {
    await payload('self', { 'a.txt': 'a' });
    const first = await aibgen(['bundle', '.', '-o', 'self.tar.gz'], { cwd: join(dir, 'self') });
    const second = await aibgen(['bundle', '.', '-o', 'self.tar.gz'], { cwd: join(dir, 'self') });
    expect(first.exitCode).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect((await run('tar', ['-tzf', 'self.tar.gz'], { cwd: join(dir, 'self') })).stdout).toBe('a.txt\n');
  });
});

describe('size limit', () => {
  it('accepts an archive of exactly --max-size bytes and refuses one byte less, listing the largest inputs', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`f${String(i).padStart(2, '0')}.txt`] = `${i}`.repeat(100 * (i + 1));
    await payload('sized', files);
    const probe = await aibgen(['bundle', 'sized', '-o', 'sized.tar.gz', '--json'], { cwd: dir });
    const size = (JSON.parse(probe.stdout) as { size: number }).size;
    const exact = await aibgen(['bundle', 'sized', '-o', 'exact.tar.gz', '--max-size', String(size)], { cwd: dir });
    expect(exact.exitCode).toBe(0);
    const over = await aibgen(['bundle', 'sized', '-o', 'over.tar.gz', '--max-size', String(size - 1)], { cwd: dir });
    expect(over.exitCode).toBe(2);
    expect(over.stderr).toContain(`the archive is ${size} bytes`);
    expect(over.stderr).toContain(`over the ${size - 1}-byte limit; nothing was written`);
    expect(over.stderr).toContain('or raise the limit with --max-size <size>');
    const listed = over.stderr.split('\n').filter((l) => /^\s+\d+\s+f\d\d\.txt$/.test(l));
    expect(listed).toHaveLength(10);
    expect(listed[0]).toMatch(/ 2400 {2}f11\.txt$/);
    expect(over.stderr).toContain('exclude what the image does not need');
    expect(await readdir(dir)).not.toContain('over.tar.gz');
  });

  it('reads KB, MB, KiB and MiB, and rejects nonsense', async () => {
    await payload('units', { 'a.txt': 'a' });
    for (const size of ['1KB', '1KiB', '20MB', '1.5MiB']) {
      expect((await aibgen(['bundle', 'units', '-o', `u.tar.gz`, '--max-size', size], { cwd: dir })).exitCode).toBe(0);
    }
    const bad = await aibgen(['bundle', 'units', '-o', 'u.tar.gz', '--max-size', 'lots'], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--max-size expects a size such as 20MB');
  });
});
