import { execFileSync } from 'node:child_process';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AibgenError } from '../../src/errors.js';
import { confineInput, confineOutput, projectRoots } from '../../src/project/paths.js';
import { aibgen, tempDir } from '../helpers.js';
import { expectRefusal, makeProject } from './helpers.js';

describe('project paths are confined (safety 2)', () => {
  const cases: [string, Record<string, unknown>, string | RegExp][] = [
    ['output outside the project', { output: '../elsewhere/template.json' }, /output: "\.\.\/elsewhere\/template\.json" lies outside the project folder/],
    ['an absolute artifacts folder', { artifacts: '/tmp/aibgen-artifacts' }, 'artifacts: "/tmp/aibgen-artifacts" is an absolute path'],
    ['output is the template', { output: 'template.json' }, 'output: the output template is the template (template.json)'],
    ['output is the project file', { output: 'aibgen.json' }, 'output: the output template is aibgen.json'],
    ['artifacts contain a script', { artifacts: 'scripts' }, 'artifacts: the artifacts folder contains customize[0].script (scripts/setup.sh.hbs)'],
    ['artifacts inside a payload', { artifacts: 'payload/site/artifacts' }, 'artifacts: the artifacts folder lies inside customize[1].payload (payload/site)'],
    ['an input outside the project', { customize: [{ name: 'x', script: '../../etc/passwd.sh' }] }, /customize\[0\]\.script: "\.\.\/\.\.\/etc\/passwd\.sh"/],
    ['an absolute input', { template: '/etc/hostname' }, 'template: "/etc/hostname" is an absolute path'],
    ['artifacts holding the output', { output: 'dist/artifacts/template.json' }, 'artifacts: the artifacts folder holds the output template'],
  ];
  it.each(cases)('%s: refused, nothing written', async (_, spec, message) => {
    const root = await makeProject(join(await tempDir(), 'p'), spec);
    await expectRefusal(['build', root], root, message);
  });

  it('symlinks are resolved before every check: a link out of the project is refused, for inputs and outputs', async () => {
    const base = await tempDir();
    const root = await makeProject(join(base, 'p'), { customize: [{ name: 'x', script: 'scripts/linked.sh' }] });
    await mkdir(join(base, 'outside'));
    await writeFile(join(base, 'outside/secret.sh'), '#!/bin/sh\necho secret\n');
    await symlink(join(base, 'outside/secret.sh'), join(root, 'scripts/linked.sh'));
    await expectRefusal(
      ['build', root],
      base,
      /customize\[0\]\.script: "scripts\/linked\.sh" lies outside the project folder .* \(through a symlink, it is .*outside\/secret\.sh\)/,
    );
    const other = await makeProject(join(base, 'q'), { output: 'out/template.json' });
    await symlink(join(base, 'outside'), join(other, 'out'));
    await expectRefusal(['build', other], base, /output: "out\/template\.json" lies outside the project folder .* \(through a symlink/);
  });

  it('inside a git work tree, inputs may come from the whole tree (monorepos share script folders)', async () => {
    const base = await tempDir();
    const repo = join(base, 'repo');
    await mkdir(repo);
    execFileSync('git', ['init', '-q', repo]);
    await mkdir(join(repo, 'shared'));
    await writeFile(join(repo, 'shared/common.sh'), '#!/bin/sh\necho common\n');
    const root = await makeProject(join(repo, 'images/p'), { customize: [{ name: 'common', script: '../../shared/common.sh' }] });
    const result = await aibgen(['build', root, '--quiet']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    // Still not beyond the work tree: the file exists, next to the repository.
    const escape = await makeProject(join(repo, 'images/q'), { customize: [{ name: 'x', script: '../../../outside.sh' }] });
    await writeFile(join(base, 'outside.sh'), '#!/bin/sh\n');
    await expectRefusal(['build', escape], escape, /customize\[0\]\.script: "\.\.\/\.\.\/\.\.\/outside\.sh" lies outside the git work tree/);
  });

  it('property: any mix of "..", absolute paths and symlinks is either refused or resolves inside the root', async () => {
    const base = await realpath(await tempDir());
    const root = join(base, 'root');
    await mkdir(join(root, 'a/b'), { recursive: true });
    await mkdir(join(base, 'outside'));
    for (const f of ['root/f.sh', 'root/a/g.sh', 'root/a/b/h.sh', 'outside/o.sh']) await writeFile(join(base, f), '#!/bin/sh\n');
    await symlink('../outside', join(root, 'out-link'));
    await symlink('b', join(root, 'a/in-link'));
    await symlink('../../../outside/o.sh', join(root, 'a/b/o-link.sh'));
    const roots = projectRoots(root);
    const segment = fc.constantFrom('..', '.', 'a', 'b', 'f.sh', 'g.sh', 'h.sh', 'o.sh', 'out-link', 'in-link', 'o-link.sh', 'outside', 'root', '');
    const path = fc.tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 6 })).map(([absolute, parts]) => (absolute ? '/' : '') + parts.join('/'));
    fc.assert(
      fc.property(path, (given) => {
        for (const confine of [() => confineInput(roots, given, 'x', 'file'), () => confineOutput(roots, given, 'x')]) {
          try {
            const confined = confine();
            const rel = relative(roots.root, confined.real);
            expect(rel.startsWith('..') || rel.startsWith('/')).toBe(false);
          } catch (error) {
            expect(error).toBeInstanceOf(AibgenError);
            expect((error as AibgenError).exitCode).toBe(2);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
