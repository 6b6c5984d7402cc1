import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MTIME, bundle } from '../../src/bundle/index.js';
import { readTree } from '../bundle-helpers.js';
import { aibgen, run, tempDir } from '../helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
  await mkdir(join(dir, 'site/css'), { recursive: true });
  await writeFile(join(dir, 'site/index.html'), '<h1>hi</h1>\n');
  await writeFile(join(dir, 'site/css/site.css'), 'body{}\n');
});

describe('aibgen bundle --customizer', () => {
  it('prints the File and Shell steps for Linux; the extract commands, run by sh, unpack the archive to a path with spaces and quotes', async () => {
    const archive = `aibgen-test-${process.pid}-${Date.now()}.tar.gz`;
    const destination = join(dir, "unpacked here/it's $(not) `run`");
    const result = await aibgen(
      ['bundle', 'site', '-o', archive, '--json', '--customizer', '--uri', `https://example.test/a/${archive}?sv=1`, '--destination', destination],
      { cwd: dir },
    );
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as { sha256: string; customizers: Record<string, unknown>[] };
    const [file, extract] = report.customizers;
    expect(file).toEqual({
      type: 'File',
      name: archive.replace('.tar.gz', '-download'),
      sourceUri: `https://example.test/a/${archive}?sv=1`,
      destination: `/tmp/${archive}`,
      sha256Checksum: report.sha256,
    });
    expect(extract?.type).toBe('Shell');
    const inline = extract?.inline as string[];
    expect(inline).toHaveLength(3);
    expect(inline[1]).toContain('--no-same-owner');
    // The build VM runs these as a sudo-capable user; here we are that user already.
    await copyFile(join(dir, archive), `/tmp/${archive}`);
    for (const command of inline) {
      const ran = await run('sh', ['-c', command.replace(/^sudo /, '')]);
      expect(ran.stderr, command).toBe('');
      expect(ran.exitCode, command).toBe(0);
    }
    expect(await readTree(destination)).toEqual(await readTree(join(dir, 'site')));
    expect((await run('test', ['-e', `/tmp/${archive}`])).exitCode).toBe(1); // removed
  });

  it('prints File + PowerShell Expand-Archive steps for Windows zips, quoted for PowerShell', async () => {
    const result = await aibgen(
      ['bundle', 'site', '-o', 'site.zip', '--json', '--customizer', '--uri', 'https://example.test/site.zip', '--destination', "C:\\inetpub\\it's site"],
      { cwd: dir },
    );
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as { sha256: string; customizers: Record<string, unknown>[] };
    expect(report.customizers).toEqual([
      {
        type: 'File',
        name: 'site-download',
        sourceUri: 'https://example.test/site.zip',
        destination: 'C:\\Windows\\Temp\\site.zip',
        sha256Checksum: report.sha256,
      },
      {
        type: 'PowerShell',
        name: 'site-extract',
        inline: [
          "New-Item -ItemType Directory -Force -Path 'C:\\inetpub\\it''s site' | Out-Null",
          "Expand-Archive -LiteralPath 'C:\\Windows\\Temp\\site.zip' -DestinationPath 'C:\\inetpub\\it''s site' -Force",
          "Remove-Item -LiteralPath 'C:\\Windows\\Temp\\site.zip' -Force",
        ],
      },
    ]);
  });

  it('needs --uri and --destination, and a Linux destination must be absolute', async () => {
    const missing = await aibgen(['bundle', 'site', '-o', 'x.tar.gz', '--customizer'], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('--customizer needs --uri');
    const relative = await aibgen(['bundle', 'site', '-o', 'x.tar.gz', '--customizer', '--uri', 'https://x/x.tar.gz', '--destination', 'var/www'], {
      cwd: dir,
    });
    expect(relative.exitCode).toBe(2);
    expect(relative.stderr).toContain('--destination must be an absolute Linux path');
  });
});

describe('bundle internals that only larger payloads reach', () => {
  it('several gzip members (text chunks and a big incompressible file) are the same bytes with 0, 1 or 2 workers, and GNU tar reads them', async () => {
    const root = join(dir, 'large');
    await mkdir(join(root, 'text'), { recursive: true });
    const words = 'alpha beta gamma delta epsilon install configure service nginx restart'.split(' ');
    let seed = 7;
    const next = () => (seed = (seed * 16807) % 2147483647);
    for (let i = 0; i < 40; i++) {
      let text = '';
      while (text.length < 300_000) text += `${words[next() % words.length]} ${words[next() % words.length]} ${next()}\n`;
      await writeFile(join(root, 'text', `f${String(i).padStart(2, '0')}.txt`), text);
    }
    await writeFile(join(root, 'blob.bin'), randomBytes(3 * 1024 * 1024));
    const results = [];
    for (const workers of [0, 1, 2]) results.push(await bundle(root, { output: join(dir, `large-${workers}.tar.gz`), workers, maxSize: 1e9 }));
    expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
    expect(results[0]?.size).toBeLessThan(12 * 1024 * 1024);
    const out = join(dir, 'large-out');
    await mkdir(out);
    const extracted = await run('tar', ['-xzf', join(dir, 'large-2.tar.gz'), '-C', out]);
    expect(extracted.stderr).toBe('');
    expect(await readTree(out)).toEqual(await readTree(root));
  });

  it('pins the bytes: a fixed tree gives these exact archives (a libdeflate upgrade that changes output must fail here)', async () => {
    const root = join(dir, 'golden');
    await mkdir(join(root, 'bin'), { recursive: true });
    await writeFile(join(root, 'README.md'), 'aibgen golden payload\n'.repeat(50));
    await writeFile(join(root, 'bin/run.sh'), '#!/bin/sh\necho golden\n', { mode: 0o755 });
    const tgz = await bundle(root, { output: join(dir, 'golden.tar.gz'), mtime: DEFAULT_MTIME });
    const zip = await bundle(root, { output: join(dir, 'golden.zip'), mtime: DEFAULT_MTIME });
    expect({ tgz: tgz.sha256, zip: zip.sha256 }).toEqual({
      tgz: 'c9e7e478a6b161f061d81a39f0f9d0a76530abcb40fd5d70d53f73f509926a0a',
      zip: '006dcb32d7ca7d6e22415896b45cd690121e1b581b9640a2b41d76cdef699330',
    });
  });
});
