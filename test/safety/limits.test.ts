import { execFileSync } from 'node:child_process';
import { chmod, mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Header, Pax } from 'tar';
import { describe, expect, it } from 'vitest';
import { tarHeader } from '../../src/bundle/tar-header.js';
import { readExactly, unreadable } from '../../src/bundle/read-file.js';
import { AibgenError } from '../../src/errors.js';
import { CLI, ROOT, aibgen, hasTool, isRoot, run, tempDir } from '../helpers.js';
import { expectRefusal, makeProject, snapshot } from './helpers.js';

describe('bounded work on hostile input (safety 8)', () => {
  it('a Bicep var chain that doubles at every step is resolved once per var and capped in length', async () => {
    const base = await tempDir();
    const lines = ["var v0 = 'https://x.test/'"];
    for (let i = 1; i <= 60; i++) lines.push(`var v${i} = '\${v${i - 1}}\${v${i - 1}}'`);
    lines.push("var steps = [ { type: 'Shell', name: 'a', scriptUri: v60 } ]");
    await writeFile(join(base, 'main.bicep'), `${lines.join('\n')}\n`);
    // aibgen's own evaluator (no compiler): capped at 8,192 characters.
    const result = await aibgen(['fill', join(base, 'main.bicep'), '--check', '--json'], { timeout: 30_000, env: { AIBGEN_BICEP: '/nonexistent/bicep' } });
    // Its one site is skipped, so nothing was checked: exit 2, not a pass.
    expect(result.exitCode).toBe(2);
    const site = (JSON.parse(result.stdout) as { files: { customizers: { status: string; reason: string }[] }[] }).files[0]!.customizers[0]!;
    expect(site.status).toBe('skipped');
    expect(site.reason).toContain('grows past 8192 characters');
    if (!hasTool('bicep')) return;
    // The compiler refuses it too (ARM's own limit), and that is a skip with its words, not a crash or a guess.
    const compiled = await aibgen(['fill', join(base, 'main.bicep'), '--check', '--json'], { timeout: 60_000 });
    expect(compiled.exitCode).toBe(2);
    const compiledSite = (JSON.parse(compiled.stdout) as { files: { customizers: { status: string; reason: string }[] }[] }).files[0]!.customizers[0]!;
    expect(compiledSite.status).toBe('skipped');
    expect(compiledSite.reason).toContain('maximum length');
  });

  it('JSON nested deeper than 256 is a clear error with its position, for every command that reads templates', async () => {
    const base = await tempDir();
    await writeFile(join(base, 'deep.json'), `{"properties": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    for (const args of [['validate'], ['fill', '--check']]) {
      const result = await expectRefusal([...args, join(base, 'deep.json')], base, /deep\.json:1:\d+: objects and arrays are nested more than 256 deep here/);
      expect(result.stderr).not.toContain('internal error');
    }
  });

  it('a template over 64 MiB is refused before it is read', async () => {
    const base = await tempDir();
    const handle = await open(join(base, 'huge.json'), 'w');
    await handle.truncate(64 * 1024 * 1024 + 1);
    await handle.close();
    await expectRefusal(['validate', join(base, 'huge.json')], base, 'huge.json is 67108865 bytes, over the 67108864-byte (64 MiB) limit for templates');
  });

  it('a large template (70,000 steps) and very many findings are handled, not crashed on', async () => {
    const base = await tempDir();
    const customize = Array.from({ length: 70_000 }, (_, i) => ({ type: 'File', sourceUri: `https://x.test/${i}`, destination: `/tmp/${i}` }));
    await writeFile(
      join(base, 'big.json'),
      JSON.stringify(
        { properties: { source: { type: 'PlatformImage', publisher: 'Canonical', offer: 'ubuntu', sku: 's', version: 'latest' }, customize, distribute: [] } },
        null,
        1,
      ),
    );
    const result = await aibgen(['validate', join(base, 'big.json'), '--format', 'json'], { timeout: 120_000, maxBuffer: 1e9 });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { warnings: number };
    expect(report.warnings).toBeGreaterThanOrEqual(140_000); // AIB103 and AIB108 on every step
  });
});

describe('every failure is a typed, clear error (safety 10)', () => {
  it('a file that cannot be read: permission denied (run as an unprivileged user)', async () => {
    const base = await tempDir();
    await writeFile(join(base, 'f'), 'x');
    await chmod(join(base, 'f'), 0o000);
    await chmod(base, 0o755);
    if (!isRoot) {
      const result = await aibgen(['checksum', join(base, 'f')]);
      expect(result.stderr).toBe(`aibgen: ${join(base, 'f')}: Permission denied\n`);
      return;
    }
    const probe = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', CLI, '--version']);
    if (probe.exitCode !== 0) {
      console.warn(`skipped: the CLI at ${CLI} is not readable by an unprivileged user (${probe.stderr.trim()})`);
      return;
    }
    const result = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', CLI, 'checksum', join(base, 'f')]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`aibgen: ${join(base, 'f')}: Permission denied\n`);
  });

  it('a file that disappears while it is being packed', async () => {
    const base = await tempDir();
    const error = await readExactly(
      join(base, 'gone'),
      'payload/gone',
      10,
      () => ({ buffer: Buffer.alloc(10), offset: 0 }),
      () => Promise.resolve(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AibgenError);
    expect((error as AibgenError).message).toBe('payload/gone disappeared while it was being archived; nothing was written');
    expect((error as AibgenError).cause).toBeDefined();
  });

  it('a payload file without read permission says so and how to fix it, not "run again when nothing is changing"', () => {
    const error = unreadable('payload/secret', Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' }));
    expect(error.message).toBe('payload/secret cannot be read: Permission denied; nothing was written');
    expect(error.details.join('\n')).toContain('chmod a+r');
    expect(error.details.join('\n')).not.toContain('nothing is changing');
  });

  it('a full disk: the write fails with the reason and leaves nothing behind', async () => {
    const base = await tempDir();
    const mount = join(base, 'tiny');
    await mkdir(mount);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      console.warn('skipped: cannot mount a small tmpfs here (needs root and mount rights)');
      return;
    }
    try {
      await mkdir(join(base, 'payload'));
      await writeFile(join(base, 'payload/random'), execFileSync('head', ['-c', '300000', '/dev/urandom']));
      const result = await aibgen(['bundle', join(base, 'payload'), '-o', join(mount, 'out.tar.gz')]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/^aibgen: cannot write .*out\.tar\.gz: No space left on device; nothing was written\n$/);
      expect(await snapshot(mount)).toEqual(new Map());
    } finally {
      execFileSync('umount', [mount]);
    }
  });

  it('a missing TMPDIR for build --check', async () => {
    const root = await makeProject(join(await tempDir(), 'p'));
    expect((await aibgen(['build', root, '--quiet'])).exitCode).toBe(0);
    await expectRefusal(
      ['build', root, '--check'],
      root,
      /cannot create a scratch folder in \/nonexistent-tmp \(TMPDIR=\/nonexistent-tmp\): No such file or directory/,
      { env: { TMPDIR: '/nonexistent-tmp' } },
    );
  });

  it('SOURCE_DATE_EPOCH out of range, --fetch-timeout past the timer limit', async () => {
    const base = await tempDir();
    await mkdir(join(base, 'payload'));
    await writeFile(join(base, 'payload/f'), 'f');
    await expectRefusal(['bundle', join(base, 'payload'), '-o', join(base, 'o.tar.gz')], base, 'SOURCE_DATE_EPOCH 99999999999999 is out of range', {
      env: { SOURCE_DATE_EPOCH: '99999999999999' },
    });
    await expectRefusal(['fill', join(base, 'x.json'), '--fetch', '--fetch-timeout', '9999999'], base, '--fetch-timeout expects an integer from 1 to 2147483');
  });

  it('a file of 8 GiB or more gets a pax size record that tar readers honour', () => {
    const size = 8 * 1024 ** 3 + 5;
    const header = tarHeader({ path: 'big.bin', type: 'file', mode: 0o644, size, mtime: 315532800 });
    const pax = Pax.parse(header.subarray(512, 1024).toString('utf8'), new Header(header.subarray(0, 512)));
    expect(pax.size).toBe(size);
    expect(new Header(header.subarray(1024, 1536)).path).toBe('big.bin');
  });

  it('no command reports an internal error for these', async () => {
    const base = await tempDir();
    await writeFile(join(base, 'file'), 'x');
    const results = await Promise.all([
      aibgen(['init', join(base, 'file'), '--os', 'linux']),
      aibgen(['init', join(base, 'file', 'sub'), '--os', 'linux']),
      aibgen(['build', join(base, 'file')]),
      aibgen(['validate', base]),
      aibgen(['checksum', base]),
    ]);
    for (const result of results) {
      expect(result.exitCode).toBe(2);
      expect(result.stderr).not.toContain('internal error');
    }
    expect(results[0].stderr).toContain(`${join(base, 'file')} is a file, not a folder`);
  });
});

describe('init is all or nothing (safety 11)', () => {
  it('checks every target first and writes nothing when one exists', async () => {
    const base = await tempDir();
    await mkdir(join(base, 'p/scripts'), { recursive: true });
    await writeFile(join(base, 'p/scripts/setup.sh.hbs'), 'mine\n');
    const result = await expectRefusal(['init', join(base, 'p'), '--os', 'linux'], base, '1 problem(s); nothing was written');
    expect(result.stderr).toContain('scripts/setup.sh.hbs already exists');
  });

  it('a new project folder is created whole', async () => {
    const base = await tempDir();
    const result = await aibgen(['init', join(base, 'new/nested'), '--os', 'windows']);
    expect(result.exitCode).toBe(0);
    expect([...(await snapshot(join(base, 'new/nested'))).keys()]).toContain('scripts/setup.ps1.hbs');
  });
});

describe('zip for Windows refuses names that collide there (safety 13)', () => {
  it.each([
    ['case', ['Readme.txt', 'README.txt'], 'the same name ignoring case'],
    ['Unicode normal form', ['caf\u00e9.txt', 'cafe\u0301.txt'], 'the same name in two Unicode normal forms (NFC/NFD)'],
  ])('%s', async (_, names, how) => {
    const base = await tempDir();
    await mkdir(join(base, 'payload'));
    for (const name of names) await writeFile(join(base, 'payload', name), name);
    await expectRefusal(['bundle', join(base, 'payload'), '-o', join(base, 'out.zip')], base, how);
    // tar.gz (Linux) keeps both.
    expect((await aibgen(['bundle', join(base, 'payload'), '-o', join(base, 'out.tar.gz')])).exitCode).toBe(0);
  });
});

void ROOT;
