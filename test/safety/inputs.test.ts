import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMapping, resolveUri } from '../../src/fill/index.js';
import { aibgen, run, tempDir } from '../helpers.js';
import { expectRefusal, makeProject } from './helpers.js';

describe('symlink chains in payloads (safety 3)', () => {
  it('a link that leaves the payload through other links is refused like a direct one', async () => {
    const base = await tempDir();
    const payload = join(base, 'payload');
    await mkdir(join(payload, 'a/b/c'), { recursive: true });
    await mkdir(join(payload, 'd'));
    await mkdir(join(base, 'outside'));
    await writeFile(join(base, 'outside/secret'), 'secret\n');
    await writeFile(join(payload, 'f'), 'f\n');
    // Lexically x stays inside (a/b/outside); through up -> ../../../d it leaves.
    await symlink('../../../d', join(payload, 'a/b/c/up'));
    await symlink('a/b/c/up/../../outside', join(payload, 'x'));
    await expectRefusal(
      ['bundle', payload, '-o', join(base, 'out.tar.gz')],
      base,
      /payload\/x: is a symlink to a\/b\/c\/up\/\.\.\/\.\.\/outside, outside the payload folder \(through other links it leads to .*outside\)/,
    );
  });

  it('a link to the payload itself is a loop, said once', async () => {
    const base = await tempDir();
    const payload = join(base, 'payload');
    await mkdir(join(payload, 'sub'), { recursive: true });
    await writeFile(join(payload, 'f'), 'f\n');
    await symlink('.', join(payload, 'self'));
    await symlink('..', join(payload, 'sub/parent'));
    const result = await expectRefusal(['bundle', payload, '-o', join(base, 'out.tar.gz')], base, 'a folder that contains the link itself (a loop)');
    expect(result.stderr.match(/loop/g)).toHaveLength(1);
    expect(result.stderr).not.toContain('outside');
  });
});

describe('writes never replace what is not a regular file (safety 4)', () => {
  it('-o onto a FIFO, a folder or a device is refused', async () => {
    const base = await tempDir();
    await mkdir(join(base, 'payload'));
    await writeFile(join(base, 'payload/f'), 'f\n');
    execFileSync('mkfifo', [join(base, 'fifo.tar.gz')]);
    await mkdir(join(base, 'folder.tar.gz'));
    await expectRefusal(['bundle', join(base, 'payload'), '-o', join(base, 'fifo.tar.gz')], base, 'fifo.tar.gz: it is a FIFO');
    await expectRefusal(['bundle', join(base, 'payload'), '-o', join(base, 'folder.tar.gz')], base, 'folder.tar.gz: it is a folder');
    await writeFile(join(base, 't.sh.hbs'), '#!/bin/sh\necho hi\n');
    await expectRefusal(['render', join(base, 't.sh.hbs'), '-o', '/dev/null'], base, 'cannot write /dev/null: it is a device file');
    await expectRefusal(['deprovision', '--os', 'linux', '-o', join(base, 'fifo.tar.gz')], base, 'it is a FIFO');
  });

  it('fill on a symlinked template edits the target and keeps the link', async () => {
    const base = await tempDir();
    await mkdir(join(base, 'real'));
    await mkdir(join(base, 'scripts'));
    await writeFile(join(base, 'scripts/a.sh'), '#!/bin/sh\n');
    await writeFile(
      join(base, 'real/template.json'),
      JSON.stringify({ properties: { source: {}, customize: [{ type: 'Shell', name: 'a', scriptUri: 'https://x.test/s/a.sh' }] } }, null, 2),
    );
    await symlink('real/template.json', join(base, 'link.json'));
    const result = await aibgen(['fill', join(base, 'link.json'), '--map', `https://x.test/s/=${join(base, 'scripts')}`]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await readlink(join(base, 'link.json'))).toBe('real/template.json');
    expect(await readFile(join(base, 'real/template.json'), 'utf8')).toContain('"sha256Checksum"');
  });
});

describe('render strictness has no back door (safety 5)', () => {
  it('names on Object.prototype are variables like any other, and null counts as missing', async () => {
    const base = await tempDir();
    await writeFile(
      join(base, 't.sh.hbs'),
      '#!/bin/sh\necho {{toString}} {{constructor}} {{valueOf}} {{__proto__}} {{hasOwnProperty}} {{isPrototypeOf}} {{x}}\n',
    );
    const result = await expectRefusal(['render', join(base, 't.sh.hbs'), '--set-json', 'x=null'], base, '7 missing variable(s); nothing was written');
    for (const name of ['toString', 'constructor', 'valueOf', '__proto__', 'hasOwnProperty', 'isPrototypeOf', 'x'])
      expect(result.stderr).toContain(`missing variable "${name}"`);
    // Given, they render; guarded, null is fine.
    await writeFile(join(base, 'g.sh.hbs'), '#!/bin/sh\necho {{toString}}{{#if x}}{{x}}{{/if}} {{default x "none"}}\n');
    const ok = await aibgen(['render', join(base, 'g.sh.hbs'), '-o', '-', '--set', 'toString=ts', '--set-json', 'x=null']);
    expect(ok.stdout).toBe('#!/bin/sh\necho ts none\n');
  });
});

describe('one artifact, one step (safety 6)', () => {
  it('two steps whose names map to the same artifact file are an error naming both', async () => {
    const root = await makeProject(join(await tempDir(), 'p'), {
      customize: [
        { name: 's x', script: 'scripts/setup.sh.hbs' },
        { name: 's/x', payload: 'payload/site', destination: '/srv' },
      ],
    });
    await expectRefusal(
      ['build', root],
      root,
      /customize\[1\] "s\/x" and .*aibgen\.json:\d+:\d+ {2}customize\[0\] "s x" would write the same artifact file \(s-x\.\*\)/,
    );
  });
});

describe('--map is exact (safety 9)', () => {
  it('matches only at a path boundary, takes prefixes with "=" and a query, and refuses links out of the folder', async () => {
    const base = await tempDir();
    await mkdir(join(base, 's'));
    await mkdir(join(base, 'outside'));
    await writeFile(join(base, 's/a.sh'), 'a\n');
    await writeFile(join(base, 'outside/secret.sh'), 'secret\n');
    await symlink('../outside/secret.sh', join(base, 's/link.sh'));
    const template = {
      properties: {
        source: {},
        customize: [
          { type: 'Shell', name: 'boundary', scriptUri: 'https://h.test/sX/a.sh' },
          { type: 'Shell', name: 'query', scriptUri: 'https://h.test/s/a.sh?sv=1&sig=abc' },
          { type: 'Shell', name: 'link', scriptUri: 'https://h.test/s/link.sh' },
        ],
      },
    };
    await writeFile(join(base, 't.json'), JSON.stringify(template, null, 2));
    const result = await aibgen(['fill', join(base, 't.json'), '--check', '--json', '--map', `https://h.test/s?sv=1&sig=abc=${join(base, 's')}`]);
    const sites = (
      JSON.parse(result.stdout) as { files: { customizers: { name: string; status: string; reason: string | null; localPath: string | null }[] }[] }
    ).files[0]!.customizers;
    expect(sites.find((s) => s.name === 'boundary')).toMatchObject({ status: 'skipped', reason: 'no --map prefix matches the URI' });
    expect(sites.find((s) => s.name === 'query')).toMatchObject({ status: 'missing', localPath: join(base, 's/a.sh') });
    expect(sites.find((s) => s.name === 'link')!.reason).toMatch(/refused: "\/link\.sh" is a symlink that leads outside/);
  });

  it('property: a mapped URI resolves inside the mapped folder or is refused', () => {
    const mapping = parseMapping('https://h.test/base/=/srv/data', '/');
    const segment = fc.oneof(fc.constantFrom('..', '.', '%2e%2e', '%2F', '%5c', 'a', 'b.sh', '', '%00', '%zz'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), fc.constantFrom('', '?q=1', '#f', '?sig=x#y'), (parts, suffix) => {
        const resolution = resolveUri(`https://h.test/base/${parts.join('/')}${suffix}`, [mapping]);
        if (resolution.status === 'local') expect(resolution.path.startsWith('/srv/data/')).toBe(true);
        else expect(resolution.status).toBe('refused');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('checksum handles any name sha256sum handles (safety 12)', () => {
  it('names that are not valid UTF-8, with --check too, byte for byte like sha256sum', async () => {
    const base = await tempDir();
    const odd = Buffer.concat([Buffer.from(base), Buffer.from('/a\xff\xfeb', 'latin1')]);
    await writeFile(odd, 'x');
    await writeFile(join(base, 'ok.txt'), 'y');
    const script = `cd '${base}' && for f in *; do printf '%s\\0' "$f"; done | xargs -0`;
    const ours = execFileSync('bash', ['-c', `${script} node '${process.cwd()}/dist/cli.js' checksum`]);
    const theirs = execFileSync('bash', ['-c', `${script} sha256sum`]);
    expect(ours.equals(theirs)).toBe(true);
    await writeFile(join(base, 'SUMS'), theirs);
    const check = await run('bash', ['-c', `cd '${base}' && node '${process.cwd()}/dist/cli.js' checksum -c SUMS | od -c`]);
    const reference = await run('bash', ['-c', `cd '${base}' && sha256sum -c SUMS | od -c`]);
    expect(check.stdout).toBe(reference.stdout);
  });
});
