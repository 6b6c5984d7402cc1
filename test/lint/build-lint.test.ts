import { cp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, aibgen, tempDir } from '../helpers.js';
import { makeProject } from '../safety/helpers.js';

describe('build lints what it produces', () => {
  it.each(['linux-nginx', 'windows-iis'])('the %s example builds with no lint finding', async (example) => {
    const root = join(await tempDir(), example);
    await cp(join(ROOT, 'examples', example), root, { recursive: true, filter: (src) => !src.includes('/dist') });
    const result = await aibgen(['build', root, '--quiet']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const lint = await aibgen(['lint', join(root, 'dist')]);
    expect(lint.stdout).toMatch(/^no problems in \d+ file\(s\)\n$/);
  });

  it("a planted syntax error fails the build (exit 1) at the script's own file and line, before anything is written", async () => {
    const root = await makeProject(join(await tempDir(), 'p'), { customize: [{ name: 'broken', script: 'scripts/broken.sh' }] });
    await writeFile(join(root, 'scripts/broken.sh'), '#!/bin/bash\necho start\nif [ -f /etc/hosts ]; then\n  echo yes\n');
    const result = await aibgen(['build', root]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('the built template would have');
    expect(result.stderr).toMatch(/scripts\/broken\.sh:5:1 {2}AIB214 shell-syntax-error {2}bash -n: syntax error: unexpected end of file/);
    expect(await readdir(root)).not.toContain('dist');
  });

  it('an inline step of aibgen.json that would hang is an error at its entry; --no-lint skips the check, saying so', async () => {
    const root = await makeProject(join(await tempDir(), 'p'), { customize: [{ name: 'ask', inline: ['read answer'] }] });
    const result = await aibgen(['build', root]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/aibgen\.json:\d+:\d+ {2}AIB209 interactive-command {2}customize\[0\] "ask": read waits for input/);
    const skipped = await aibgen(['build', root, '--no-lint', '--quiet']);
    expect(skipped.exitCode).toBe(0);
    expect(skipped.stderr).toContain('note: scripts and inline steps were not linted (--no-lint)');
  });
});
