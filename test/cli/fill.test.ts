import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, stat, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, aibgen, isRoot, run, tempDir } from '../helpers.js';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

let dir: string;
let original: string;
const files = {
  'scripts/install.sh': '#!/bin/bash\nset -e\necho install\n',
  'scripts/tune kernel.sh': '#!/bin/bash\r\nsysctl -w vm.swappiness=10\r\n',
  'scripts/setup.ps1': '\uFEFFWrite-Host "setup"\r\n',
  'files/motd': 'Welcome\n',
};
const h = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, sha(v)])) as Record<keyof typeof files, string>;
const MAP = ['--map', 'https://example.test/aib/=site'];

beforeAll(async () => {
  dir = await tempDir();
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, 'site', name, '..'), { recursive: true });
    await writeFile(join(dir, 'site', name), content);
  }
  const fixture = await readFile(join(ROOT, 'test/fixtures/fill/two-templates.jsonc'), 'utf8');
  original = fixture.replace('UPPERCASE-PLACEHOLDER', h['scripts/install.sh'].toUpperCase());
});

function expectedAfterFill(text: string): string {
  const crlf = '\r\n';
  return text
    .replace(
      `"scriptUri": "https://example.test/aib/scripts/install.sh" // no checksum yet${crlf}`,
      `"scriptUri": "https://example.test/aib/scripts/install.sh", // no checksum yet${crlf}            "sha256Checksum": "${h['scripts/install.sh']}"${crlf}`,
    )
    .replace('0'.repeat(64), h['scripts/tune kernel.sh'])
    .replace('"sourceUri": "https://example.test/aib/files/motd"', `"sourceUri": "https://example.test/aib/files/motd", "sha256Checksum": "${h['files/motd']}"`)
    .replace(h['scripts/install.sh'].toUpperCase(), h['scripts/install.sh'])
    .replace(
      `"scriptUri": "https://example.test/aib/scripts/setup.ps1"${crlf}`,
      `"scriptUri": "https://example.test/aib/scripts/setup.ps1",${crlf}                    "sha256Checksum": "${h['scripts/setup.ps1']}"${crlf}`,
    );
}

describe('aibgen fill on a JSONC + CRLF ARM template with two image templates', () => {
  it('--check lists every wrong checksum with file:line:col, exit 1, and writes nothing', async () => {
    const file = join(dir, 'check-before.json');
    await writeFile(file, original);
    const result = await aibgen(['fill', '--check', 'check-before.json', ...MAP], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      `check-before.json:17:26  linux-base/install  expected ${h['scripts/install.sh']} got missing`,
      `check-before.json:23:31  linux-base/tune  expected ${h['scripts/tune kernel.sh']} got ${'0'.repeat(64)}`,
      `check-before.json:28:58  linux-base/motd  expected ${h['files/motd']} got missing`,
      `check-before.json:36:33  linux-base/smoke  expected ${h['scripts/install.sh']} got ${h['scripts/install.sh'].toUpperCase()}`,
      `check-before.json:63:34  windows-base/setup  expected ${h['scripts/setup.ps1']} got missing`,
    ]);
    expect(result.stderr).toContain('linux-base/from-param  skipped: the URI is an ARM expression');
    expect(result.stderr).toContain('windows-base/placeholder  skipped: the URI is a placeholder');
    expect(result.stderr).toContain('windows-base/elsewhere  skipped: no --map prefix matches the URI');
    expect(await readFile(file, 'utf8')).toBe(original);
  });

  it('fills exactly the checksums, keeps every other byte, and a second run changes nothing', async () => {
    const file = join(dir, 'fill.json');
    await writeFile(file, original);
    await chmod(file, 0o640);
    const first = await aibgen(['fill', 'fill.json', ...MAP], { cwd: dir });
    expect(first.stderr).toContain('5 checksum(s) written');
    expect(first.exitCode).toBe(0);
    const filled = await readFile(file, 'utf8');
    expect(filled).toBe(expectedAfterFill(original));
    expect((await stat(file)).mode & 0o777).toBe(0o640);

    const second = await aibgen(['fill', 'fill.json', ...MAP], { cwd: dir });
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toContain('already right, unchanged');
    expect(await readFile(file, 'utf8')).toBe(filled);

    const check = await aibgen(['fill', '--check', 'fill.json', ...MAP], { cwd: dir });
    expect(check.exitCode).toBe(0);
    expect(check.stdout).toBe('');
  });

  it('--json reports every customizer with pointer, name, uri, local path, status, expected and actual', async () => {
    const file = join(dir, 'json.json');
    await writeFile(file, original);
    const result = await aibgen(['fill', '--check', '--json', 'json.json', ...MAP], { cwd: dir });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { files: { customizers: Record<string, unknown>[] }[]; problems: number };
    expect(report.problems).toBe(5);
    const rows = report.files[0]?.customizers ?? [];
    expect(rows.map((r) => [r.pointer, r.status])).toEqual([
      ['/resources/0/properties/customize/0', 'missing'],
      ['/resources/0/properties/customize/1', 'mismatch'],
      ['/resources/0/properties/customize/3', 'skipped'],
      ['/resources/0/properties/customize/4', 'missing'],
      ['/resources/0/properties/validate/inVMValidations/0', 'uppercase'],
      ['/resources/1/properties/template/resources/0/properties/customize/0', 'missing'],
      ['/resources/1/properties/template/resources/0/properties/customize/2', 'skipped'],
      ['/resources/1/properties/template/resources/0/properties/customize/3', 'skipped'],
    ]);
    expect(rows[1]).toMatchObject({
      name: 'tune',
      uri: 'https://example.test/aib/scripts/tune%20kernel.sh?sv=2024&sig=<redacted>',
      localPath: join(dir, 'site', 'scripts', 'tune kernel.sh'),
      expected: h['scripts/tune kernel.sh'],
      actual: '0'.repeat(64),
    });
  });

  it('writes to -o and leaves the input alone', async () => {
    const file = join(dir, 'in.json');
    await writeFile(file, original);
    const result = await aibgen(['fill', 'in.json', '-o', 'out.json', ...MAP], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(original);
    expect(await readFile(join(dir, 'out.json'), 'utf8')).toBe(expectedAfterFill(original));
  });

  it('--strict turns skipped URIs into a failure (exit 1) and writes nothing', async () => {
    const file = join(dir, 'strict.json');
    await writeFile(file, original);
    const result = await aibgen(['fill', 'strict.json', '--strict', ...MAP], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('3 checksum site(s) skipped under --strict; nothing was written');
    expect(await readFile(file, 'utf8')).toBe(original);
    const check = await aibgen(['fill', '--check', 'strict.json', '--strict', ...MAP], { cwd: dir });
    expect(check.exitCode).toBe(1);
  });

  it('refuses a URI whose path leaves the mapped folder, and a missing file, with exit 2 and nothing written', async () => {
    const text = original.replace('scripts/install.sh" // no', '..%2F..%2Fetc/passwd" // no').replace('files/motd"', '../../../etc/passwd"');
    await writeFile(join(dir, 'escape.json'), text);
    const escape = await aibgen(['fill', '--check', '--json', 'escape.json', ...MAP], { cwd: dir });
    const rows = (JSON.parse(escape.stdout) as { files: { customizers: { status: string; reason: string | null }[] }[] }).files[0]?.customizers ?? [];
    expect(rows[0]?.status).toBe('skipped');
    expect(rows[0]?.reason).toContain('encodes a path separator');
    expect(rows[3]?.status).toBe('skipped');
    expect(rows[3]?.reason).toContain('leads outside');

    const missing = original.replace('scripts/setup.ps1', 'scripts/renamed.ps1');
    await writeFile(join(dir, 'missing.json'), missing);
    const result = await aibgen(['fill', 'missing.json', ...MAP], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('a referenced file could not be hashed; nothing was written');
    expect(result.stderr).toMatch(/missing\.json:63:34 {2}windows-base\/setup {2}cannot read .*renamed\.ps1: No such file or directory/);
    expect(await readFile(join(dir, 'missing.json'), 'utf8')).toBe(missing);
    const check = await aibgen(['fill', '--check', 'missing.json', ...MAP], { cwd: dir });
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toContain('windows-base/setup  cannot read');
  });

  it('reports a parse error with file:line:column and what was expected (exit 2)', async () => {
    await writeFile(join(dir, 'broken.json'), '{\r\n  "properties": {\r\n    "customize": [ <script> ]\r\n  }\r\n}\r\n');
    const result = await aibgen(['fill', 'broken.json', ...MAP], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^aibgen: broken\.json:3:20: .*"<script>/);
  });

  it('keeps a UTF-8 byte order mark and LF endings', async () => {
    const text = `\uFEFF{\n  "properties": {\n    "customize": [\n      {\n        "type": "File",\n        "sourceUri": "https://example.test/aib/files/motd",\n        "destination": "/tmp/motd"\n      }\n    ]\n  }\n}`;
    await writeFile(join(dir, 'bom.json'), text);
    expect((await aibgen(['fill', 'bom.json', ...MAP], { cwd: dir })).exitCode).toBe(0);
    expect(await readFile(join(dir, 'bom.json'), 'utf8')).toBe(
      text.replace('files/motd",\n', `files/motd",\n        "sha256Checksum": "${h['files/motd']}",\n`),
    );
  });
});

describe('atomic writes', () => {
  it('a write that fails after the temporary file was written leaves the original byte-identical and no temp file', async () => {
    const work = join(dir, 'atomic');
    await mkdir(join(work, 'target-is-a-dir', 'x'), { recursive: true });
    await copyFile(join(ROOT, 'test/fixtures/fill/two-templates.jsonc'), join(work, 't.json'));
    const before = await readFile(join(work, 't.json'));
    const result = await aibgen(['fill', 't.json', '-o', 'target-is-a-dir', '--map', `https://example.test/aib/=${join(dir, 'site')}`], { cwd: work });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('cannot write target-is-a-dir');
    expect(await readFile(join(work, 't.json'))).toEqual(before);
    expect((await readdir(work)).sort()).toEqual(['t.json', 'target-is-a-dir']);
  });

  it('in a read-only folder, fails with exit 2 and leaves the original byte-identical', async () => {
    const work = join(dir, 'readonly');
    await mkdir(work);
    await writeFile(join(work, 't.json'), original);
    await chmod(join(work, 't.json'), 0o644);
    await chmod(work, 0o555);
    // root ignores folder permissions, so run the CLI as an unprivileged user there.
    const asUser = isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'node'] : ['node'];
    await chmod(dir, 0o755);
    const result = await run(
      asUser[0] as string,
      [...asUser.slice(1), join(ROOT, 'dist/cli.js'), 'fill', 't.json', '--map', `https://example.test/aib/=${join(dir, 'site')}`],
      { cwd: work },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/cannot write t\.json: (Permission denied|Read-only file system)/);
    expect(await readFile(join(work, 't.json'), 'utf8')).toBe(original);
    expect(await readdir(work)).toEqual(['t.json']);
    await chmod(work, 0o755);
  });
});
