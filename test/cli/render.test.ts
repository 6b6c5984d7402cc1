import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { aibgen, run, tempDir } from '../helpers.js';

let dir: string;
const hostile = [
  "it's",
  'say "hi"',
  '$(touch /tmp/aibgen-pwned)',
  '`touch /tmp/aibgen-pwned`',
  'a; rm -rf /tmp/nothing; b',
  'line one\nline two\n',
  'tab\there\rcarriage',
  'ünïcødé ✓ 名前',
  '\\back\\slash\\',
  '*.txt ?(x) [a-z] ~root',
  '-n',
  '',
  '${HOME} $HOME %s %%',
  "'\"'\"''",
];

beforeAll(async () => {
  dir = await tempDir();
  await writeFile(join(dir, 'hostile.json'), JSON.stringify({ values: Object.fromEntries(hostile.map((v, i) => [`v${i}`, v])), list: hostile }));
});

describe('{{sh x}}: hostile values reach bash and sh as exactly one word each', () => {
  it('prints back the same bytes', async () => {
    const refs = hostile.map((_, i) => `{{sh values.v${i}}}`).join(' ');
    await writeFile(join(dir, 'echo.sh.hbs'), `#!/bin/bash\nprintf '%s\\0' ${refs}\nprintf '%s\\0' {{sh list}}\n`);
    const result = await aibgen(['render', 'echo.sh.hbs', '--vars', 'hostile.json'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    for (const shell of ['bash', 'sh']) {
      const ran = await execa(shell, [join(dir, 'echo.sh')], { encoding: 'buffer', reject: false });
      expect(ran.exitCode).toBe(0);
      const printed = Buffer.from(ran.stdout).toString('utf8').split('\0').slice(0, -1);
      expect(printed).toEqual([...hostile, ...hostile]);
    }
    expect((await run('test', ['-e', '/tmp/aibgen-pwned'])).exitCode).toBe(1);
  });
});

describe('aibgen render', () => {
  it('does not HTML-escape and keeps \\{{ literal', async () => {
    await writeFile(join(dir, 'raw.txt.hbs'), 'x={{x}} y={{{x}}} \\{{not a var}}\n');
    const result = await aibgen(['render', 'raw.txt.hbs', '-o', '-', '--set', 'x=a=b & <c> "d" \'e\''], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('x=a=b & <c> "d" \'e\' y=a=b & <c> "d" \'e\' {{not a var}}\n');
  });

  it('reports every missing variable at once, with file:line:column, inside #if, #each, partials and helper arguments; writes nothing', async () => {
    await mkdir(join(dir, 'partials'), { recursive: true });
    await writeFile(join(dir, 'partials', 'step.hbs'), 'step {{name}} on {{port}} by {{owner}}\n');
    await writeFile(
      join(dir, 'missing.sh.hbs'),
      [
        '#!/bin/sh',
        'echo {{sh present}}',
        '{{#if enabled}}echo {{sh insideIf}}{{/if}}',
        '{{#each servers}}echo {{sh host}} {{sh user}}{{/each}}',
        '{{> step name=stepName port=present}}',
        'echo {{sh (lower upperCased)}} {{join items ","}}',
        '{{#unless quiet}}{{quiet}}{{/unless}}',
        '',
      ].join('\n'),
    );
    await writeFile(join(dir, 'vars.json'), JSON.stringify({ present: 'yes', servers: [{ host: 'a', user: 'u' }, { host: 'b' }] }));
    const result = await aibgen(['render', 'missing.sh.hbs', '--partials', 'partials', '--vars', 'vars.json'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    const reported = result.stderr.split('\n').filter((l) => l.startsWith('  ') && l.includes('missing variable'));
    expect(reported).toEqual([
      '  missing.sh.hbs:3:26  missing variable "insideIf"',
      '  missing.sh.hbs:4:40  missing variable "user" (in servers[1])',
      '  missing.sh.hbs:5:15  missing variable "stepName"',
      '  partials/step.hbs:1:32  missing variable "owner"',
      '  missing.sh.hbs:6:18  missing variable "upperCased"',
      '  missing.sh.hbs:6:39  missing variable "items"',
      '  missing.sh.hbs:7:20  missing variable "quiet"',
    ]);
    expect(result.stderr).toMatch(/^aibgen: missing\.sh\.hbs: 7 missing variable\(s\); nothing was written/);
    await expect(stat(join(dir, 'missing.sh'))).rejects.toThrow();
  });

  it('accepts missing variables where every use is guarded (#if on the same path, #unless else, default)', async () => {
    await writeFile(
      join(dir, 'guarded.txt.hbs'),
      '{{#if a}}{{a}}{{/if}}{{#unless b}}none{{else}}{{b}}{{/unless}}[{{default c "fallback"}}]{{#if (eq mode "x")}}x{{/if}}\n',
    );
    const result = await aibgen(['render', 'guarded.txt.hbs', '-o', '-', '--set', 'mode=y'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('none[fallback]\n');
  });

  it('takes --vars files in order, then --set-json, then --set; dotted keys nest', async () => {
    await writeFile(join(dir, 'one.json'), JSON.stringify({ app: { name: 'one', port: 1 }, keep: 'k' }));
    await writeFile(join(dir, 'two.json'), JSON.stringify({ app: { name: 'two' } }));
    await writeFile(join(dir, 'vars.txt.hbs'), '{{app.name}} {{app.port}} {{keep}} {{json list}} {{app.version}}\n');
    const result = await aibgen(
      [
        'render',
        'vars.txt.hbs',
        '-o',
        '-',
        '--vars',
        'one.json',
        '--vars',
        'two.json',
        '--set-json',
        'list=[1,"b"]',
        '--set-json',
        'app.port=8080',
        '--set',
        'app.version=1.24',
      ],
      { cwd: dir },
    );
    expect(result.stdout).toBe('two 8080 k [1,"b"] 1.24\n');
    const bad = await aibgen(['render', 'vars.txt.hbs', '-o', '-', '--set-json', 'list=[oops'], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--set-json list: the value is not JSON');
  });

  it('.sh output: LF whatever the template has, mode 0755, a warning without a shebang', async () => {
    await writeFile(join(dir, 'crlf.sh.hbs'), 'echo one\r\necho {{sh x}}\r\n');
    const result = await aibgen(['render', 'crlf.sh.hbs', '--set', 'x=two'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('the first line is not a shebang');
    expect(await readFile(join(dir, 'crlf.sh'), 'utf8')).toBe("echo one\necho 'two'\n");
    expect((await stat(join(dir, 'crlf.sh'))).mode & 0o777).toBe(0o755);
  });

  it('.ps1 output: CRLF by default, --eol lf, and a UTF-8 BOM only when the text is not ASCII', async () => {
    await writeFile(join(dir, 'a.ps1.hbs'), 'Write-Host {{ps x}}\nWrite-Host done\n');
    await aibgen(['render', 'a.ps1.hbs', '--set', "x=it's"], { cwd: dir });
    expect(await readFile(join(dir, 'a.ps1'))).toEqual(Buffer.from("Write-Host 'it''s'\r\nWrite-Host done\r\n"));
    await aibgen(['render', 'a.ps1.hbs', '--set', 'x=café', '-o', 'b.ps1'], { cwd: dir });
    expect(await readFile(join(dir, 'b.ps1'))).toEqual(Buffer.from("\uFEFFWrite-Host 'café'\r\nWrite-Host done\r\n"));
    await aibgen(['render', 'a.ps1.hbs', '--set', 'x=plain', '-o', 'c.ps1', '--eol', 'lf'], { cwd: dir });
    expect(await readFile(join(dir, 'c.ps1'), 'utf8')).toBe("Write-Host 'plain'\nWrite-Host done\n");
  });

  it('same inputs, same bytes', async () => {
    await writeFile(join(dir, 'same.sh.hbs'), '#!/bin/sh\n{{#each pkgs}}apt-get install -y {{sh this}}\n{{/each}}');
    await aibgen(['render', 'same.sh.hbs', '-o', 's1.sh', '--set-json', 'pkgs=["nginx","curl"]'], { cwd: dir });
    await aibgen(['render', 'same.sh.hbs', '-o', 's2.sh', '--set-json', 'pkgs=["nginx","curl"]'], { cwd: dir });
    expect(await readFile(join(dir, 's1.sh'))).toEqual(await readFile(join(dir, 's2.sh')));
    expect(await readFile(join(dir, 's1.sh'), 'utf8')).toBe("#!/bin/sh\napt-get install -y 'nginx'\napt-get install -y 'curl'\n");
  });

  it('refuses a template name without .hbs when no -o is given, an unknown helper, and a syntax error (exit 2)', async () => {
    await writeFile(join(dir, 'plain.sh'), 'echo hi\n');
    const noName = await aibgen(['render', 'plain.sh'], { cwd: dir });
    expect(noName.exitCode).toBe(2);
    expect(noName.stderr).toContain('does not end in .hbs');
    await writeFile(join(dir, 'helper.txt.hbs'), '{{shout x}}\n');
    const unknown = await aibgen(['render', 'helper.txt.hbs', '--set', 'x=1', '-o', '-'], { cwd: dir });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('helper.txt.hbs:1:1  unknown helper "shout"');
    await writeFile(join(dir, 'syntax.txt.hbs'), 'line\n{{#if x}}\nno close\n');
    const syntax = await aibgen(['render', 'syntax.txt.hbs', '-o', '-'], { cwd: dir });
    expect(syntax.exitCode).toBe(2);
    expect(syntax.stderr).toContain('syntax.txt.hbs');
    expect(syntax.stderr).toContain('template syntax error');
  });
});
