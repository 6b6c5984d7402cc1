import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundle, extractSteps, InputError, OptionError, renderTemplate, validateFile } from '../../src/index.js';
import { cannotRead } from '../../src/errors.js';
import { tempDir } from '../helpers.js';

/** Error codes are API: callers branch on them. */
describe('error codes and fields', () => {
  it('a missing file is E_NOT_FOUND, with the system error kept as cause', async () => {
    const dir = await tempDir();
    for (const attempt of [
      () => validateFile(join(dir, 'nope.json')),
      () => renderTemplate(join(dir, 'nope.sh.hbs')),
      () => bundle(join(dir, 'nope'), { output: join(dir, 'x.tar.gz') }),
    ]) {
      const error = (await attempt().then(
        () => undefined,
        (e: unknown) => e,
      )) as InputError;
      expect(error).toBeInstanceOf(InputError);
      expect(error.code).toBe('E_NOT_FOUND');
      expect(error.exitCode).toBe(2);
      expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    }
  });

  it('a path that exists but cannot be read as a file is E_IO, not E_NOT_FOUND', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'setup.sh.hbs'));
    const error = (await renderTemplate(join(dir, 'setup.sh.hbs')).catch((e: unknown) => e)) as InputError;
    expect(error.code).toBe('E_IO');
    expect((error.cause as NodeJS.ErrnoException).code).toBe('EISDIR');
  });

  it('cannotRead sorts system errors by what they mean', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'folder'));
    const enoent = Object.assign(new Error('x'), { code: 'ENOENT', syscall: 'open' });
    const eacces = Object.assign(new Error('x'), { code: 'EACCES', syscall: 'open' });
    expect(cannotRead('cannot read a', enoent).code).toBe('E_NOT_FOUND');
    expect(cannotRead('cannot read a', eacces).code).toBe('E_IO');
    expect(cannotRead('cannot read a', eacces).message).toBe('cannot read a: Permission denied');
    expect(cannotRead('cannot read a', eacces).cause).toBe(eacces);
  });

  it('a wrong option value names the option as the API does; the CLI words it as its flag', () => {
    const attempt = () =>
      extractSteps({
        os: 'linux',
        format: 'tar.gz',
        uri: 'https://x.test/a.tar.gz',
        sha256: 'a'.repeat(64),
        archiveName: 'a.tar.gz',
        destination: 'relative/dir',
      });
    expect(attempt).toThrow(OptionError);
    try {
      attempt();
    } catch (error) {
      expect((error as OptionError).option).toBe('destination');
      expect((error as OptionError).problem).toBe('must be an absolute Linux path, got "relative/dir"');
      expect((error as OptionError).code).toBe('E_USAGE');
    }
  });
});
