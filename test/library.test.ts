import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.js';

// Only the package entry, as a user imports it (self-reference through package.json "exports").
const load = () => import('aibgen');

describe('aibgen as a library', () => {
  it('exports exactly the API docs/library.md documents, name for name', async () => {
    const api = await load();
    // Every backticked identifier that opens a name or call in the table's first column (before a result type's ->).
    const table = (await readFile(join(ROOT, 'docs/library.md'), 'utf8')).split('\n').filter((line) => line.startsWith('| `'));
    const documented = new Set(
      table.flatMap((line) => [...(line.split(' | ')[0]?.split(' -> ')[0] ?? '').matchAll(/`([A-Za-z_]\w*)/g)].map((m) => m[1] ?? '')),
    );
    expect(Object.keys(api).sort()).toEqual([...documented].sort());
    expect(Object.keys(api)).toEqual(expect.arrayContaining(['build', 'importTemplate', 'testProject', 'doctor', 'publish', 'validateFile', 'lintPaths']));
  });

  it('builds, bundles and validates through functions that print nothing and throw typed errors', async () => {
    const { build, bundle, validateFile, AibgenError } = await load();
    const dir = await tempDir();
    const project = join(dir, 'p');
    await cp(join(ROOT, 'templates/init/linux'), project, { recursive: true });
    const before = { uncaught: process.listenerCount('uncaughtException'), unhandled: process.listenerCount('unhandledRejection') };
    const result = await build(project);
    expect(result.steps.map((s) => s.name)).toEqual(['setup', 'site', 'deprovision']);
    expect((await validateFile(result.outputs.template)).findings.filter((f) => f.severity === 'error')).toEqual([]);
    await mkdir(join(dir, 'payload'));
    await writeFile(join(dir, 'payload/a.txt'), 'a\n');
    const archive = await bundle(join(dir, 'payload'), { output: join(dir, 'a.tar.gz') });
    expect(archive.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Compression ran in workers: libdeflate's glue installed no process-wide handler here.
    expect({ uncaught: process.listenerCount('uncaughtException'), unhandled: process.listenerCount('unhandledRejection') }).toEqual(before);
    const error = await build(join(dir, 'nope')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AibgenError);
    expect((error as InstanceType<typeof AibgenError>).exitCode).toBe(2);
  });
});
