import { chmod, readFile, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { aibgen, itWith, run, tempDir } from '../helpers.js';
import { makeProject } from '../safety/helpers.js';

/** A ShellCheck that logs each start and then is the real one (or, with BREAK set, fails); `starts` counts the checks (not --version). */
async function loggingShellcheck(dir: string): Promise<{ path: string; starts: () => Promise<number> }> {
  const real = (await run('sh', ['-c', 'command -v shellcheck'])).stdout.trim();
  const log = join(dir, 'starts.log');
  const path = join(dir, 'shellcheck');
  await writeFile(log, '');
  await writeFile(path, `#!/bin/sh\necho "start $*" >> '${log}'\n[ -n "$BREAK" ] && exit 3\nexec '${real}' "$@"\n`);
  await chmod(path, 0o755);
  return { path, starts: async () => (await readFile(log, 'utf8')).split('\n').filter((line) => line.includes('--format')).length };
}

describe('build reuses the lint of unchanged scripts', () => {
  itWith('shellcheck')('an unchanged build starts no engine; one changed byte lints again; a failed check is never reused', async () => {
    const dir = await tempDir();
    const root = await makeProject(join(dir, 'p'));
    const shellcheck = await loggingShellcheck(dir);
    const env = { AIBGEN_SHELLCHECK: shellcheck.path, XDG_CACHE_HOME: join(dir, 'cache') };

    const first = await aibgen(['build', root, '--quiet'], { env });
    expect(first.exitCode, first.stderr).toBe(0);
    const cold = await shellcheck.starts();
    expect(cold).toBeGreaterThan(0);

    const again = await aibgen(['build', root, '--quiet'], { env });
    expect(again.exitCode, again.stderr).toBe(0);
    const checked = await aibgen(['build', root, '--check'], { env });
    expect(checked.exitCode, checked.stderr).toBe(0);
    expect(await shellcheck.starts()).toBe(cold);

    // A finding comes back from the cache exactly as the engine gave it.
    await appendFile(join(root, 'scripts/setup.sh.hbs'), 'echo $UNQUOTED_VAR\n');
    const changed = await aibgen(['build', root], { env });
    const afterChange = await shellcheck.starts();
    expect(afterChange).toBeGreaterThan(cold);
    const cached = await aibgen(['build', root], { env });
    expect(await shellcheck.starts()).toBe(afterChange);
    expect(changed.stderr).toContain('SC2086');
    expect(cached.stderr).toBe(changed.stderr);

    // ShellCheck's configuration is part of what decides its findings: a project .shellcheckrc is not served stale.
    await writeFile(join(root, '.shellcheckrc'), 'disable=SC2086\n');
    const configured = await aibgen(['build', root], { env });
    expect(await shellcheck.starts()).toBeGreaterThan(afterChange);
    expect(configured.stderr).not.toContain('SC2086');
    const afterConfig = await shellcheck.starts();

    // An engine that fails is AIB216 (exit 2), and that report is not stored: the next run checks again.
    await appendFile(join(root, 'scripts/setup.sh.hbs'), 'echo two\n');
    const broken = await aibgen(['build', root, '--quiet'], { env: { ...env, BREAK: '1' } });
    expect(broken.exitCode).not.toBe(0);
    expect(broken.stderr).toContain('AIB216');
    const afterBroken = await shellcheck.starts();
    expect(afterBroken).toBeGreaterThan(afterConfig);
    const repaired = await aibgen(['build', root, '--quiet'], { env });
    expect(repaired.exitCode, repaired.stderr).toBe(0);
    const afterRepair = await shellcheck.starts();
    expect(afterRepair).toBeGreaterThan(afterBroken);

    // AIBGEN_CACHE=0 turns the cache off.
    await aibgen(['build', root, '--quiet'], { env: { ...env, AIBGEN_CACHE: '0' } });
    expect(await shellcheck.starts()).toBeGreaterThan(afterRepair);
  });
});
