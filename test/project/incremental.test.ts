import { chmod, cp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aibgen, tempDir } from '../helpers.js';
import { snapshot } from '../safety/helpers.js';
import { makeProject } from '../safety/helpers.js';

type Edit =
  | { kind: 'add'; name: string; content: string }
  | { kind: 'remove' }
  | { kind: 'rename'; name: string }
  | { kind: 'chmod' }
  | { kind: 'byte'; offset: number }
  | { kind: 'variable'; value: string }
  | { kind: 'level'; level: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), name: fc.stringMatching(/^[a-z]{1,8}\.txt$/), content: fc.string({ maxLength: 50 }) }),
  fc.record({ kind: fc.constant('remove' as const) }),
  fc.record({ kind: fc.constant('rename' as const), name: fc.stringMatching(/^[a-z]{1,8}\.html$/) }),
  fc.record({ kind: fc.constant('chmod' as const) }),
  fc.record({ kind: fc.constant('byte' as const), offset: fc.nat(1000) }),
  fc.record({ kind: fc.constant('variable' as const), value: fc.string({ minLength: 1, maxLength: 10 }) }),
  fc.record({ kind: fc.constant('level' as const), level: fc.integer({ min: 1, max: 12 }) }),
);

async function apply(root: string, change: Edit): Promise<void> {
  const site = join(root, 'payload/site');
  const files = (await readdir(site)).sort();
  const first = join(site, files[0] ?? 'index.html');
  const spec = JSON.parse(await readFile(join(root, 'aibgen.json'), 'utf8')) as { vars?: Record<string, unknown>; customize: Record<string, unknown>[] };
  switch (change.kind) {
    case 'add':
      await writeFile(join(site, change.name), change.content);
      break;
    case 'remove':
      if (files.length > 1) await rm(first);
      break;
    case 'rename':
      if (!existsSync(join(site, change.name))) await rename(first, join(site, change.name));
      break;
    case 'chmod':
      await chmod(first, 0o755);
      break;
    case 'byte': {
      const bytes = await readFile(first);
      if (bytes.length === 0) await writeFile(first, 'x');
      else {
        bytes[change.offset % bytes.length]! ^= 1;
        await writeFile(first, bytes);
      }
      break;
    }
    case 'variable':
      spec.vars = { ...spec.vars, motd: change.value };
      await writeFile(join(root, 'aibgen.json'), JSON.stringify(spec, null, 2));
      break;
    case 'level':
      spec.customize = spec.customize.map((s) => (s.payload ? { ...s, level: change.level } : s));
      await writeFile(join(root, 'aibgen.json'), JSON.stringify(spec, null, 2));
      break;
  }
}

describe('incremental builds', () => {
  it('after any edits, a rebuild that keeps unchanged steps gives exactly what a cold build gives (fast-check)', { timeout: 240_000 }, async () => {
    const base = await tempDir();
    const warm = await makeProject(join(base, 'warm'));
    expect((await aibgen(['build', warm, '--quiet'])).exitCode).toBe(0);
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
        round++;
        for (const change of edits) await apply(warm, change);
        const before = await snapshot(join(warm, 'dist'));
        const check = await aibgen(['build', warm, '--check']);
        const rebuilt = await aibgen(['build', warm, '--quiet', '--prune']);
        expect(rebuilt.exitCode, rebuilt.stderr).toBe(0);
        const incremental = await snapshot(join(warm, 'dist'));
        // --check said stale exactly when the rebuild changed something.
        expect(check.exitCode, JSON.stringify(edits)).toBe(JSON.stringify([...incremental]) === JSON.stringify([...before]) ? 0 : 1);
        const cold = join(base, `cold${round}`);
        await cp(warm, cold, { recursive: true, filter: (src) => !src.startsWith(join(warm, 'dist')) });
        expect((await aibgen(['build', cold, '--quiet'])).exitCode).toBe(0);
        expect(incremental).toEqual(await snapshot(join(cold, 'dist')));
        await rm(cold, { recursive: true, force: true });
      }),
      { numRuns: 10, seed: 1711 },
    );
  });

  it('an artifact changed on disk is rebuilt, not trusted; --check reports it', async () => {
    const root = await makeProject(join(await tempDir(), 'p'));
    expect((await aibgen(['build', root, '--quiet'])).exitCode).toBe(0);
    const good = await snapshot(join(root, 'dist'));
    const archive = (await readdir(join(root, 'dist/artifacts'))).find((f) => f.endsWith('.tar.gz')) as string;
    const bytes = await readFile(join(root, 'dist/artifacts', archive));
    bytes[bytes.length - 20]! ^= 0xff;
    await writeFile(join(root, 'dist/artifacts', archive), bytes);
    const check = await aibgen(['build', root, '--check']);
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toContain(`${archive}: different content`);
    const rebuilt = await aibgen(['build', root, '--json']);
    const steps = (JSON.parse(rebuilt.stdout) as { steps: { name: string; reused: boolean }[] }).steps;
    expect(steps.find((s) => s.name === 'site')?.reused).toBe(false);
    expect(steps.find((s) => s.name === 'setup')?.reused).toBe(true);
    expect(await snapshot(join(root, 'dist'))).toEqual(good);
  });
});
