import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.js';

// Only the package entry, as a user imports it (self-reference through package.json "exports").
const load = () => import('aibgen');

describe('aibgen as a library', () => {
  it('exports exactly the documented API', async () => {
    const api = await load();
    expect(Object.keys(api).sort()).toEqual(
      [
        'AibgenError',
        'CheckFailedError',
        'InputError',
        'IoError',
        'LINT_RULES',
        'LimitError',
        'ParseError',
        'ProjectError',
        'RULES',
        'TooLargeError',
        'UnsafeInputError',
        'UsageError',
        'build',
        'bundle',
        'checkSums',
        'checksumFiles',
        'deprovisionCustomizer',
        'deprovisionScript',
        'downloadCommands',
        'extractSteps',
        'fillChecksums',
        'formatJson',
        'formatSarif',
        'formatText',
        'hashFile',
        'init',
        'lintPaths',
        'inlineFileCommands',
        'inlineScriptCommands',
        'loadProject',
        'loadVariables',
        'publish',
        'renderTemplate',
        'renderText',
        'renderToFile',
        'sha256Hex',
        'validateDocument',
        'validateFile',
        'writeDeprovisionScript',
      ].sort(),
    );
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
