import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, aibgen, tempDir } from '../helpers.js';

// aibgen's own Bicep reading, without the compiler (the compiler's route is tested in test/bicep/).
process.env.AIBGEN_BICEP = '/nonexistent/bicep';

const sha = (data: string) => createHash('sha256').update(data).digest('hex');
const files: Record<string, string> = {
  'scripts/install.sh': '#!/bin/sh\necho install\n',
  'scripts/tune.sh': '#!/bin/sh\r\necho tune\r\n',
  'files/motd': 'hello\n',
  "it's/odd.sh": '#!/bin/sh\necho odd\n',
};
let dir: string;
let original: string;
const MAP = ['--map', 'https://example.test/aib/=site'];

beforeAll(async () => {
  dir = await tempDir();
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, 'site', name, '..'), { recursive: true });
    await writeFile(join(dir, 'site', name), content);
  }
  const lf = await readFile(join(ROOT, 'test/fixtures/bicep/template.bicep'), 'utf8');
  // CRLF and an uppercase checksum, as real Bicep files have them.
  original = lf.replace('UPPER', sha(files['scripts/install.sh'] as string).toUpperCase()).replace(/\n/g, '\r\n');
});

describe('aibgen fill on Bicep', () => {
  it('--check resolves var/param-default interpolation and escapes, and reports file:line:col like JSON (exit 1)', async () => {
    await writeFile(join(dir, 'check.bicep'), original);
    const result = await aibgen(['fill', '--check', 'check.bicep', ...MAP, '--json'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    const rows =
      (
        JSON.parse(result.stdout) as {
          files: { customizers: { name: string; uri: string; status: string; reason: string | null; line: number; column: number }[] }[];
        }
      ).files[0]?.customizers ?? [];
    expect(rows.map((r) => [r.name, r.status, r.uri])).toEqual([
      ['install', 'missing', 'https://example.test/aib/scripts/install.sh'],
      ['tune', 'mismatch', 'https://example.test/aib/scripts/tune.sh'],
      ['motd', 'missing', 'https://example.test/aib/files/motd'],
      ['odd', 'missing', "https://example.test/aib/it's/odd.sh?sig=<redacted>"],
      ['from-param', 'skipped', "'${noDefault}/x.sh'"],
      ['computed', 'skipped', 'computed'],
      ['commas', 'missing', 'https://example.test/aib/scripts/install.sh'],
      ['smoke', 'uppercase', 'https://example.test/aib/scripts/install.sh'],
    ]);
    expect(rows[4]?.reason).toBe('param noDefault has no default (its value comes from the deployment)');
    expect(rows[5]?.reason).toBe('var computed: the value "uri(scriptBase, \'x.sh\')" is an expression');
    const text = await aibgen(['fill', '--check', 'check.bicep', ...MAP], { cwd: dir });
    expect(text.stdout.split('\n')[0]).toBe(`check.bicep:14:16  steps/install  expected ${sha(files['scripts/install.sh'] as string)} got missing`);
  });

  it('fills in place, changing only checksum values or inserting a line with the same indentation and CRLF; idempotent', async () => {
    const file = join(dir, 'fill.bicep');
    await writeFile(file, original);
    const first = await aibgen(['fill', 'fill.bicep', ...MAP], { cwd: dir });
    expect(first.exitCode).toBe(0);
    const h = (name: string) => sha(files[name] as string);
    const expected = original
      .replace(
        "    scriptUri: '${scriptsPath}/install.sh' // resolved through var -> param default\r\n",
        `    scriptUri: '\${scriptsPath}/install.sh' // resolved through var -> param default\r\n    sha256Checksum: '${h('scripts/install.sh')}'\r\n`,
      )
      .replace('0'.repeat(64), h('scripts/tune.sh'))
      .replace("sourceUri: 'https://example.test/aib/files/motd',", `sourceUri: 'https://example.test/aib/files/motd', sha256Checksum: '${h('files/motd')}',`)
      .replace('    scriptUri: escaped\r\n', `    scriptUri: escaped\r\n    sha256Checksum: '${h("it's/odd.sh")}'\r\n`)
      .replace(
        "    scriptUri: '${scriptBase}/scripts/install.sh',\r\n",
        `    scriptUri: '\${scriptBase}/scripts/install.sh',\r\n    sha256Checksum: '${h('scripts/install.sh')}',\r\n`,
      )
      .replace(h('scripts/install.sh').toUpperCase(), h('scripts/install.sh'));
    expect(await readFile(file, 'utf8')).toBe(expected);
    const again = await aibgen(['fill', 'fill.bicep', ...MAP], { cwd: dir });
    expect(again.stderr).toContain('already right, unchanged');
    expect(await readFile(file, 'utf8')).toBe(expected);
    const check = await aibgen(['fill', '--check', 'fill.bicep', ...MAP], { cwd: dir });
    expect(check.exitCode).toBe(0);
  });

  it('keeps a file without a final newline and with LF as it is', async () => {
    const text = "var s = [\n  {\n    type: 'File'\n    sourceUri: 'https://example.test/aib/files/motd'\n  }\n]";
    await writeFile(join(dir, 'lf.bicep'), text);
    expect((await aibgen(['fill', 'lf.bicep', ...MAP], { cwd: dir })).exitCode).toBe(0);
    expect(await readFile(join(dir, 'lf.bicep'), 'utf8')).toBe(text.replace("motd'\n", `motd'\n    sha256Checksum: '${sha(files['files/motd'] as string)}'\n`));
  });

  it('reports a Bicep syntax problem it cannot read past with file:line:col (exit 2)', async () => {
    await writeFile(join(dir, 'bad.bicep'), "var x = [\n  { type: 'Shell', scriptUri: 'unterminated }\n]\n");
    const result = await aibgen(['fill', 'bad.bicep', ...MAP], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('bad.bicep:2:31: unterminated string');
  });
});
