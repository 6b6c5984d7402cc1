import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aibgen, tempDir } from '../helpers.js';

// aibgen's own Bicep reading, without the compiler (the compiler's route is tested in test/bicep/).
process.env.AIBGEN_BICEP = '/nonexistent/bicep';

/**
 * fill on Bicep never writes the checksum of another file: where aibgen's own evaluator cannot tell
 * which value deploys (a loop variable or lambda parameter that shadows a param, a spread that can
 * set the URI or the type, a module param a caller passes), the step is skipped with the reason, and
 * every step fill sees is in the report.
 */

const sha = (data: string) => createHash('sha256').update(data).digest('hex');

interface Row {
  name: string | null;
  type: string;
  status: string;
  reason: string | null;
  note: string | null;
  expected: string | null;
}

async function setup(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

const site = {
  'site/shadow.sh': '#!/bin/sh\necho shadow\n',
  'site/a.sh': '#!/bin/sh\necho a\n',
  'site/b.sh': '#!/bin/sh\necho b\n',
  'site/decoy.sh': '#!/bin/sh\necho decoy\n',
  'site/default.sh': '#!/bin/sh\necho default\n',
};
const MAP = ['--map', 'https://example.test/=site'];

async function fill(dir: string, files: string[], extra: string[] = []): Promise<{ exitCode: number; rows: Map<string, Row[]>; stderr: string }> {
  const result = await aibgen(['fill', ...files, ...MAP, '--json', ...extra], { cwd: dir });
  const parsed = JSON.parse(result.stdout) as { files: { file: string; customizers: Row[] }[] };
  return { exitCode: result.exitCode, rows: new Map(parsed.files.map((f) => [f.file, f.customizers])), stderr: result.stderr };
}

describe('Bicep fill fails closed where it cannot evaluate', () => {
  it('a loop variable that shadows a param of the same name: skipped, and no file hashed into the loop', async () => {
    const main = `param n string = 'shadow'
var steps = [for n in ['a', 'b']: {
  type: 'Shell'
  name: 'step-\${n}'
  scriptUri: 'https://example.test/\${n}.sh'
}]
`;
    const dir = await setup({ ...site, 'main.bicep': main });
    const { rows } = await fill(dir, ['main.bicep']);
    const [row] = rows.get('main.bicep')!;
    expect(row).toMatchObject({ status: 'skipped' });
    expect(row!.reason).toContain('n is bound by a for loop or a lambda in this file');
    expect(await readFile(join(dir, 'main.bicep'), 'utf8')).toBe(main);
    expect(await readFile(join(dir, 'main.bicep'), 'utf8')).not.toContain(sha(site['site/shadow.sh']));
  });

  it('an object spread after scriptUri: skipped (the spread can set it); the decoy is never hashed', async () => {
    const main = `param override object
var step = {
  type: 'Shell'
  name: 'spread'
  scriptUri: 'https://example.test/decoy.sh'
  ...override
}
`;
    const dir = await setup({ ...site, 'main.bicep': main });
    const { rows } = await fill(dir, ['main.bicep']);
    const [row] = rows.get('main.bicep')!;
    expect(row).toMatchObject({ status: 'skipped', name: 'spread' });
    expect(row!.reason).toContain('spreads another object into itself');
    expect(await readFile(join(dir, 'main.bicep'), 'utf8')).toBe(main);
  });

  it('a step whose type comes from a spread is in the report, with why', async () => {
    const main = `param kind object = { type: 'Shell' }
var step = {
  ...kind
  name: 'typed-by-spread'
  scriptUri: 'https://example.test/a.sh'
}
`;
    const dir = await setup({ ...site, 'main.bicep': main });
    const { rows } = await fill(dir, ['main.bicep']);
    expect(rows.get('main.bicep')).toEqual([expect.objectContaining({ name: 'typed-by-spread', type: '(set by a spread)', status: 'skipped' })]);
  });

  it('a module param default that a caller in the given files overrides is not used; one nobody overrides is, with a caveat', async () => {
    const module = `param script string = 'https://example.test/default.sh'
param other string = 'https://example.test/a.sh'
var steps = [
  { type: 'Shell', name: 'overridden', scriptUri: script }
  { type: 'Shell', name: 'defaulted', scriptUri: other }
]
`;
    const caller = `module aib 'modules/aib.bicep' = {
  name: 'aib'
  params: {
    script: 'https://example.test/b.sh'
  }
}
`;
    const dir = await setup({ ...site, 'modules/aib.bicep': module, 'main.bicep': caller });
    const { rows } = await fill(dir, ['modules/aib.bicep', 'main.bicep']);
    const [overridden, defaulted] = rows.get('modules/aib.bicep')!;
    expect(overridden).toMatchObject({ status: 'skipped' });
    expect(overridden!.reason).toContain('param script is passed by module aib in main.bicep');
    expect(defaulted).toMatchObject({ status: 'missing', expected: sha(site['site/a.sh']) });
    expect(defaulted!.note).toContain('uses the default of param other; a deployment or a .bicepparam may pass another value');
    const written = await readFile(join(dir, 'modules/aib.bicep'), 'utf8');
    expect(written).not.toContain(sha(site['site/default.sh']));
    expect(written).toContain(sha(site['site/a.sh']));
  });

  it('a .bicepparam that sets the param: its default is not used', async () => {
    const main = `param script string = 'https://example.test/default.sh'
var step = { type: 'Shell', name: 'from-param', scriptUri: script }
`;
    const dir = await setup({ ...site, 'main.bicep': main, 'main.bicepparam': "using 'main.bicep'\nparam script = 'https://example.test/b.sh'\n" });
    const { rows } = await fill(dir, ['main.bicep', 'main.bicepparam']);
    expect(rows.get('main.bicep')![0]).toMatchObject({ status: 'skipped' });
    expect(rows.get('main.bicep')![0]!.reason).toContain('param script is passed by main.bicepparam');
    expect(await readFile(join(dir, 'main.bicep'), 'utf8')).toBe(main);
  });

  it('fill --check where every URI was skipped is not a pass: exit 2, unless --allow-empty', async () => {
    const main = `param base string
var step = { type: 'Shell', name: 'x', scriptUri: '\${base}/a.sh' }
`;
    const dir = await setup({ ...site, 'main.bicep': main });
    const result = await aibgen(['fill', '--check', 'main.bicep', ...MAP], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('nothing was checked: all 1 checksum site(s) were skipped');
    expect((await aibgen(['fill', '--check', 'main.bicep', ...MAP, '--allow-empty'], { cwd: dir })).exitCode).toBe(0);
  });
});
