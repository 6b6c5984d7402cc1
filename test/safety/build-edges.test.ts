import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../../src/project/index.js';
import { aibgen, tempDir } from '../helpers.js';
import { makeProject } from './helpers.js';

/** Small things a new user met: what build --check says, and what build() returns. */
describe('build, as a new user meets it', () => {
  it('build() returns a result JSON.stringify can write (no circular parts)', async () => {
    const root = await makeProject(join(await tempDir(), 'p'));
    const result = await build(root, { lint: false });
    const text = JSON.stringify(result);
    expect(JSON.parse(text)).toMatchObject({ os: 'linux', steps: expect.any(Array) });
  });

  it('--check names SOURCE_DATE_EPOCH when it changes archive bytes, and says which files this build does not make', async () => {
    const root = await makeProject(join(await tempDir(), 'p'));
    expect((await aibgen(['build', root, '--quiet'])).exitCode).toBe(0);
    expect((await aibgen(['build', root, '--check'])).exitCode).toBe(0);
    const stale = await aibgen(['build', root, '--check'], { env: { SOURCE_DATE_EPOCH: '1000000000' } });
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toContain('SOURCE_DATE_EPOCH=1000000000 is set here and sets the times archives store');
    await writeFile(join(root, 'dist/artifacts/old.sh'), '#!/bin/sh\n');
    const extra = await aibgen(['build', root, '--check']);
    expect(extra.stderr).toMatch(/1 file\(s\) in \S*dist\/artifacts are not made by this build \(older builds\?\): old\.sh/);
  });
});
