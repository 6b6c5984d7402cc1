import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { aibgen, run, tempDir } from '../helpers.js';

let dir: string;
const names = ['plain.txt', 'with space.sh', 'back\\slash.ps1', 'new\nline', 'carriage\rreturn', 'ünïcødé-名前.txt', 'empty', 'big.bin'];

beforeAll(async () => {
  dir = await tempDir();
  for (const name of names) await writeFile(join(dir, name), name === 'empty' ? '' : `content of ${name}\r\n`);
  // Crosses the 1 MiB read size several times and ends mid-chunk.
  await writeFile(join(dir, 'big.bin'), randomBytes(3 * 1024 * 1024 + 12345));
  await mkdir(join(dir, 'a-directory'));
});

describe('aibgen checksum', () => {
  it('prints exactly what GNU sha256sum prints, odd names included', async () => {
    const ours = await aibgen(['checksum', ...names], { cwd: dir });
    const theirs = await run('sha256sum', names, { cwd: dir });
    expect(theirs.exitCode).toBe(0);
    expect(ours.exitCode).toBe(0);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stdout).toContain('\\'); // the escaped names really were escaped
  });

  it('reads standard input for -', async () => {
    const ours = await aibgen(['checksum', '-'], { cwd: dir, input: 'hello\n' });
    const theirs = await run('sha256sum', ['-'], { input: 'hello\n' });
    expect(ours.stdout).toBe(theirs.stdout);
  });

  it('keeps argument order when hashing concurrently', async () => {
    const order = [...names].reverse();
    const ours = await aibgen(['checksum', '--concurrency', '3', ...order], { cwd: dir });
    const theirs = await run('sha256sum', order, { cwd: dir });
    expect(ours.stdout).toBe(theirs.stdout);
  });

  it('prints JSON with path, sha256 and size', async () => {
    const ours = await aibgen(['checksum', '--json', 'plain.txt', 'big.bin'], { cwd: dir });
    expect(ours.exitCode).toBe(0);
    const rows = JSON.parse(ours.stdout) as { path: string; sha256: string; size: number }[];
    const sums = (await run('sha256sum', ['plain.txt', 'big.bin'], { cwd: dir })).stdout.split('\n');
    expect(rows).toEqual([
      { path: 'plain.txt', sha256: sums[0]?.slice(0, 64), size: 'content of plain.txt\r\n'.length },
      { path: 'big.bin', sha256: sums[1]?.slice(0, 64), size: 3 * 1024 * 1024 + 12345 },
    ]);
  });

  it('reports a directory and a missing file by name, exit 2, after hashing the rest', async () => {
    const ours = await aibgen(['checksum', 'plain.txt', 'a-directory', 'nope.txt', 'empty'], { cwd: dir });
    expect(ours.exitCode).toBe(2);
    expect(ours.stderr).toContain('a-directory: Is a directory');
    expect(ours.stderr).toContain('nope.txt: No such file or directory');
    const theirs = await run('sha256sum', ['plain.txt', 'empty'], { cwd: dir });
    expect(ours.stdout).toBe(theirs.stdout);
  });

  it('fails with a usage error and exit 2 when no file is given', async () => {
    const ours = await aibgen(['checksum']);
    expect(ours.exitCode).toBe(2);
    expect(ours.stderr).toMatch(/^aibgen: no files given/);
    expect(ours.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });
});

describe('aibgen checksum --check', () => {
  it('verifies a list written by sha256sum (text and binary markers) with the same output', async () => {
    const text = (await run('sha256sum', names, { cwd: dir })).stdout;
    const binary = (await run('sha256sum', ['-b', 'plain.txt', 'big.bin'], { cwd: dir })).stdout;
    expect(binary).toContain(' *plain.txt');
    await writeFile(join(dir, 'SUMS'), text + binary);
    const ours = await aibgen(['checksum', '--check', 'SUMS'], { cwd: dir });
    const theirs = await run('sha256sum', ['--check', 'SUMS'], { cwd: dir });
    expect(ours.exitCode).toBe(0);
    expect(ours.stdout).toBe(theirs.stdout);
  });

  it('reports FAILED and FAILED open or read like sha256sum, exit 1; --quiet prints only failures', async () => {
    const work = join(dir, 'check');
    await mkdir(work);
    for (const n of ['a', 'b', 'c', 'd']) await writeFile(join(work, n), n);
    const sums = (await run('sha256sum', ['a', 'b', 'c', 'd'], { cwd: work })).stdout;
    await writeFile(join(work, 'SUMS'), sums);
    await writeFile(join(work, 'b'), 'changed');
    await chmod(join(work, 'c'), 0o644);
    await run('rm', [join(work, 'c')]);
    const ours = await aibgen(['checksum', '-c', 'SUMS'], { cwd: work });
    const theirs = await run('sha256sum', ['-c', 'SUMS'], { cwd: work });
    expect(ours.exitCode).toBe(1);
    expect(theirs.exitCode).toBe(1);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stdout).toBe('a: OK\nb: FAILED\nc: FAILED open or read\nd: OK\n');
    expect(ours.stderr).toContain('1 computed checksum did NOT match');
    expect(ours.stderr).toContain('1 listed file could not be read');
    const quiet = await aibgen(['checksum', '-c', 'SUMS', '--quiet'], { cwd: work });
    const theirsQuiet = await run('sha256sum', ['-c', '--quiet', 'SUMS'], { cwd: work });
    expect(quiet.exitCode).toBe(1);
    expect(quiet.stdout).toBe(theirsQuiet.stdout);
  });

  it('rejects a list with no checksum lines (exit 2) and warns about malformed lines', async () => {
    await writeFile(join(dir, 'BAD'), 'not a checksum line\n');
    const bad = await aibgen(['checksum', '-c', 'BAD'], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('no properly formatted SHA256 checksum lines found');
    const good = (await run('sha256sum', ['plain.txt'], { cwd: dir })).stdout;
    await writeFile(join(dir, 'MIXED'), `${good}garbage\n`);
    const mixed = await aibgen(['checksum', '-c', 'MIXED'], { cwd: dir });
    expect(mixed.exitCode).toBe(0);
    expect(mixed.stdout).toBe('plain.txt: OK\n');
    expect(mixed.stderr).toContain('1 line is improperly formatted (line 2)');
  });

  it('exits 2 when the list itself cannot be read', async () => {
    const missing = await aibgen(['checksum', '-c', 'NO-SUCH-LIST'], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('cannot read checksum list NO-SUCH-LIST: No such file or directory');
  });
});
