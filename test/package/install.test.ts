import { mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, run, tempDir } from '../helpers.js';

/**
 * aibgen as a user gets it: action/install.sh (the GitHub Action's and the Azure Pipelines
 * template's install step) builds this checkout, packs it as npm would publish it and installs the
 * tarball with production dependencies only into a clean prefix. That install then runs init,
 * build, validate and lint from an unrelated folder, a strict TypeScript project compiles against
 * it, and action/run.sh runs a command in a temporary git repository, as a workflow would.
 */

let prefix: string;
let bin: string;
let installLog: string;
let pathFile: string;

beforeAll(async () => {
  const runner = await tempDir('aibgen-runner-');
  prefix = join(runner, 'aibgen');
  pathFile = join(runner, 'github_path');
  await writeFile(pathFile, '');
  const result = await run('bash', [join(ROOT, 'action', 'install.sh')], {
    env: { RUNNER_TEMP: runner, GITHUB_PATH: pathFile, AIBGEN_SOURCE: ROOT, npm_config_loglevel: 'error' },
    timeout: 600_000,
  });
  installLog = result.stdout + result.stderr;
  expect(result.exitCode, installLog).toBe(0);
  bin = join(prefix, 'node_modules', '.bin');
}, 600_000);

async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) total += await treeSize(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}

describe('the packed tarball, installed with production dependencies only', () => {
  it('installs with no engine warning on this Node, puts aibgen on the job PATH, and is at most 60 MB', async () => {
    expect(installLog).not.toMatch(/EBADENGINE/);
    expect((await readFile(pathFile, 'utf8')).trim()).toBe(bin);
    const size = await treeSize(join(prefix, 'node_modules'));
    expect(size).toBeLessThan(60 * 1000 * 1000);
    const pkg = JSON.parse(await readFile(join(prefix, 'node_modules', 'aibgen', 'package.json'), 'utf8')) as { version: string };
    expect((await run(join(bin, 'aibgen'), ['--version'])).stdout.trim()).toBe(pkg.version);
    for (const file of ['LICENSE', 'CHANGELOG.md', 'README.md', 'vendor/libdeflate/LICENSE.txt', 'schema/aibgen.schema.json'])
      await expect(stat(join(prefix, 'node_modules', 'aibgen', file)), file).resolves.toBeTruthy();
    // Source maps serve the coverage of spawned CLIs here; they point into src/, which is not shipped.
    const shipped = await readdir(join(prefix, 'node_modules', 'aibgen', 'dist'), { recursive: true });
    expect(shipped.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('runs init, build, validate and lint from an unrelated folder, and $schema resolves there', async () => {
    const somewhere = await tempDir('aibgen-user-');
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
    const init = await run('aibgen', ['init', 'image', '--os', 'linux'], { cwd: somewhere, env });
    expect(init.exitCode, init.stderr).toBe(0);
    const project = join(somewhere, 'image');
    const schemaRef = /"\$schema": "([^"]+)"/.exec(await readFile(join(project, 'aibgen.json'), 'utf8'))?.[1];
    expect(schemaRef).toBe('./aibgen.schema.json');
    expect(JSON.parse(await readFile(join(project, schemaRef!), 'utf8'))).toMatchObject({ $schema: expect.stringContaining('json-schema.org') });
    const build = await run('aibgen', ['build'], { cwd: project, env });
    expect(build.exitCode, build.stderr).toBe(0);
    const validate = await run('aibgen', ['validate', 'dist/template.json'], { cwd: project, env });
    expect(validate.exitCode, validate.stdout + validate.stderr).toBe(0);
    const lint = await run('aibgen', ['lint', '.'], { cwd: project, env });
    expect([0, 1]).toContain(lint.exitCode);
    expect(lint.stderr).not.toContain('internal error');
    expect((await run('aibgen', ['build', '--check'], { cwd: project, env })).exitCode).toBe(0);
  });

  it('a strict TypeScript project (module nodenext, skipLibCheck false) compiles import * as aibgen', async () => {
    const consumer = await tempDir('aibgen-consumer-');
    await writeFile(join(consumer, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n');
    await writeFile(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2022',
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
        },
      }),
    );
    await writeFile(
      join(consumer, 'index.ts'),
      "import * as aibgen from 'aibgen';\nconst result: Promise<aibgen.BuildResult> = aibgen.build('.', { check: true });\nvoid result;\n",
    );
    await mkdir(join(consumer, 'node_modules', '@types'), { recursive: true });
    for (const name of await readdir(join(prefix, 'node_modules'))) {
      if (name === '.bin' || name === '.package-lock.json' || name === '@types') continue;
      await symlink(join(prefix, 'node_modules', name), join(consumer, 'node_modules', name));
    }
    // @types/node: a TypeScript project on Node has it; the one this repository develops with.
    await symlink(join(ROOT, 'node_modules', '@types', 'node'), join(consumer, 'node_modules', '@types', 'node'));
    const tsc = await run('node', [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer]);
    expect(tsc.exitCode, tsc.stdout + tsc.stderr).toBe(0);
  });
});

describe('the CI recipe outside this repository', () => {
  it("action/run.sh runs the workflow's command in a git repository: build --check passes on a committed build, and fails (exit 1) when it is stale", async () => {
    const repo = await tempDir('aibgen-workflow-');
    const env = {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@x',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@x',
    };
    expect((await run('git', ['init', '-q'], { cwd: repo, env })).exitCode).toBe(0);
    expect((await run('aibgen', ['init', '.', '--os', 'linux'], { cwd: repo, env })).exitCode).toBe(0);
    expect((await run('aibgen', ['build', '--quiet'], { cwd: repo, env })).exitCode).toBe(0);
    await run('git', ['add', '-A'], { cwd: repo, env });
    expect((await run('git', ['commit', '-qm', 'image'], { cwd: repo, env })).exitCode).toBe(0);
    const check = await run('bash', [join(ROOT, 'action', 'run.sh')], { cwd: repo, env: { ...env, AIBGEN_COMMAND: 'build --check' } });
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.stderr).toContain('+ aibgen build --check');
    await writeFile(join(repo, 'scripts', 'setup.sh.hbs'), '#!/bin/bash\necho changed\n');
    const stale = await run('bash', [join(ROOT, 'action', 'run.sh')], { cwd: repo, env: { ...env, AIBGEN_COMMAND: 'build --check' } });
    expect(stale.exitCode).toBe(1);
    const sarif = await run('bash', [join(ROOT, 'action', 'run.sh')], {
      cwd: repo,
      env: { ...env, AIBGEN_COMMAND: 'validate dist/template.json --format sarif', AIBGEN_SARIF: 'aibgen.sarif' },
    });
    expect(sarif.exitCode, sarif.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(repo, 'aibgen.sarif'), 'utf8'))).toMatchObject({ version: '2.1.0' });
    // The command line is split, never evaluated.
    const hostile = await run('bash', [join(ROOT, 'action', 'run.sh')], { cwd: repo, env: { ...env, AIBGEN_COMMAND: 'lint $(touch pwned) ;touch pwned2' } });
    expect(hostile.exitCode).toBe(2);
    await expect(stat(join(repo, 'pwned'))).rejects.toThrow();
    await expect(stat(join(repo, 'pwned2'))).rejects.toThrow();
  });

  it('action.yml and the Azure Pipelines template call exactly these scripts', async () => {
    const action = await readFile(join(ROOT, 'action.yml'), 'utf8');
    expect(action).toContain('run: bash "$GITHUB_ACTION_PATH/action/install.sh"');
    expect(action).toContain('run: bash "$GITHUB_ACTION_PATH/action/run.sh"');
    expect(action).toContain('github/codeql-action/upload-sarif');
    const pipelines = await readFile(join(ROOT, 'action', 'azure-pipelines-steps.yml'), 'utf8');
    expect(pipelines).toContain('/action/install.sh"');
    expect(pipelines).toContain('/action/run.sh"');
  });
});
