import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aibgen, tempDir } from '../helpers.js';
import { makeProject } from './helpers.js';

const SAS = 'sv=2024-11-04&ss=b&srt=o&sp=r&se=2999-01-01T00:00:00Z&spr=https&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D';

describe('a SAS token in baseUri (safety 1)', () => {
  it('puts the artifact name in the path and the token after it, and names every file the token lands in', async () => {
    const root = await makeProject(join(await tempDir(), 'p'), { baseUri: `https://acct.blob.core.windows.net/aib/?${SAS}` });
    const result = await aibgen(['build', root, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const artifacts = JSON.parse(await readFile(join(root, 'dist/artifacts.json'), 'utf8')) as { uri: string; file: string }[];
    for (const a of artifacts) {
      const name = a.file.split('/').pop() as string;
      expect(a.uri).toBe(`https://acct.blob.core.windows.net/aib/${name}?${SAS}`);
    }
    expect(result.stderr).toMatch(
      /warning: baseUri carries a SAS token; it is written into .*dist\/artifacts\.json, .*dist\/customize\.json, .*dist\/template\.json/,
    );
    // Never printed: not in the warning, not in the JSON summary on stdout.
    expect(result.stdout + result.stderr).not.toContain('c2VjcmV0LXNpZ25hdHVyZQ');
    expect(result.stdout).toContain('sig=<redacted>');
    // Said every time, also when nothing changes.
    const again = await aibgen(['build', root, '--quiet']);
    expect(again.stderr).toContain('baseUri carries a SAS token');
  });

  it('an expired token in baseUri fails the build (AIB135) before anything is written', async () => {
    const root = await makeProject(join(await tempDir(), 'p'), { baseUri: `https://acct.blob.core.windows.net/aib?sv=2020-01-01&se=2021-01-01&sp=r&sig=abc` });
    const result = await aibgen(['build', root]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('AIB135 sas-token-expired');
    expect(result.stderr).not.toContain('sig=abc');
  });

  it('errors and reports redact signatures, account keys and connection strings', async () => {
    const dir = await tempDir();
    const key = `${'A'.repeat(86)}==`;
    const result = await aibgen(['fill', join(dir, 'missing.json'), '--map', `https://a.blob.core.windows.net/c/?sv=1&sig=TOPSECRET=${dir}`]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).not.toContain('TOPSECRET');
    const validate = await aibgen(['validate', join(dir, `DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${key};.json`)]);
    expect(validate.exitCode).toBe(2);
    expect(validate.stderr).not.toContain(key);
    expect(validate.stderr).toContain('AccountKey=<redacted>');
  });
});
