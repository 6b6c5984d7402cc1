import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../bundle-helpers.js';
import { ROOT, aibgen, checkWithShellcheck, itWith, run, tempDir } from '../helpers.js';

let dir: string;
let stubs: string;
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

interface ArtifactRecord {
  name: string;
  file: string;
  uri: string;
  sha256: string;
  size: number;
  kind: string;
}
type Customizer = Record<string, unknown> & { type: string; name?: string; inline?: string[] };

async function snapshotFiles(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.set(full.slice(root.length), sha(await readFile(full)));
    }
  };
  await walk(root);
  return out;
}

beforeAll(async () => {
  dir = await tempDir();
  stubs = join(dir, 'stubs');
  await mkdir(stubs);
  await writeFile(join(stubs, 'sudo'), '#!/bin/sh\nexec "$@"\n');
  await chmod(join(stubs, 'sudo'), 0o755);
});

describe.each([
  ['linux-nginx', 'tar.gz'],
  ['windows-iis', 'zip'],
])('example %s', (example, format) => {
  let project: string;
  let first: Map<string, string>;

  let built: Awaited<ReturnType<typeof aibgen>>;

  // Every test below reads this one build; none depends on another test.
  beforeAll(async () => {
    project = join(dir, example);
    await cp(join(ROOT, 'examples', example), project, { recursive: true, filter: (src) => !src.includes('/dist') });
    built = await aibgen(['build', project]);
    first = await snapshotFiles(join(project, 'dist'));
  });

  it('builds, and the output template validates', async () => {
    expect(built.stderr).toBe('');
    expect(built.exitCode).toBe(0);
    expect(built.stdout).toMatch(/^step +kind +artifact +size +sha256$/m);
    const validation = await aibgen(['validate', join(project, 'dist/template.json')]);
    expect(validation.exitCode).toBe(0);
    expect(validation.stdout).toContain('no problems in 1 file(s)');
  });

  it('every checksum in the template equals sha256sum of the artifact behind its URI', async () => {
    const artifacts = JSON.parse(await readFile(join(project, 'dist/artifacts.json'), 'utf8')) as ArtifactRecord[];
    const template = JSON.parse(await readFile(join(project, 'dist/template.json'), 'utf8')) as { properties: { customize: Customizer[] } };
    const customize = JSON.parse(await readFile(join(project, 'dist/customize.json'), 'utf8')) as Customizer[];
    expect(customize).toEqual(template.properties.customize);
    const sums = await run(
      'sha256sum',
      artifacts.map((a) => a.file),
      { cwd: project },
    );
    const real = new Map(
      sums.stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(66), l.slice(0, 64)]),
    );
    let checked = 0;
    for (const step of template.properties.customize) {
      const uri = (step.scriptUri ?? step.sourceUri) as string | undefined;
      if (!uri) continue;
      const artifact = artifacts.find((a) => a.uri === uri);
      expect(artifact, uri).toBeDefined();
      expect(step.sha256Checksum).toBe(real.get(artifact!.file));
      expect(artifact!.file).toContain(artifact!.sha256.slice(0, 12));
      checked++;
    }
    expect(checked).toBe(artifacts.length);
    expect(template.properties.customize.at(-1)?.destination).toMatch(/^(\/tmp\/DeprovisioningScript\.sh|c:\\DeprovisioningScript\.ps1)$/);
  });

  it(`the ${format} payload extracts with the real tool to the payload folder`, async () => {
    const artifacts = JSON.parse(await readFile(join(project, 'dist/artifacts.json'), 'utf8')) as ArtifactRecord[];
    const payload = artifacts.find((a) => a.kind === 'payload') as ArtifactRecord;
    const out = join(dir, `${example}-extracted`);
    await mkdir(out);
    const extracted =
      format === 'tar.gz'
        ? await run('tar', ['-xzf', join(project, payload.file), '-C', out])
        : await run('unzip', ['-q', join(project, payload.file), '-d', out]);
    expect(extracted.stderr).toBe('');
    expect(await readTree(out)).toEqual(await readTree(join(project, 'payload/site')));
  });

  itWith('shellcheck').runIf(format === 'tar.gz')('its Linux scripts pass shellcheck', async () => {
    const artifacts = JSON.parse(await readFile(join(project, 'dist/artifacts.json'), 'utf8')) as ArtifactRecord[];
    const scripts = artifacts.filter((a) => a.file.endsWith('.sh')).map((a) => join(project, a.file));
    expect(scripts.length).toBe(2);
    const result = await run('shellcheck', scripts);
    expect(result.stdout + result.stderr).toBe('');
  });

  it('builds again to identical bytes, rewriting no file; --check passes, then fails with a diff after a one-byte change', async () => {
    const outputs = [...(await readdir(join(project, 'dist'), { recursive: true }))].map((f) => join(project, 'dist', f));
    const identity = async () => Promise.all(outputs.map(async (f) => ({ f, ...(({ ino, mtimeMs }) => ({ ino, mtimeMs }))(await stat(f)) })));
    const before = await identity();
    expect((await aibgen(['build', project, '--quiet'])).exitCode).toBe(0);
    expect(await snapshotFiles(join(project, 'dist'))).toEqual(first);
    // Same bytes are not written again: watchers and make-like tools see nothing change.
    expect(await identity()).toEqual(before);
    const check = await aibgen(['build', project, '--check']);
    expect(check.exitCode).toBe(0);
    const script = join(project, 'scripts', example === 'linux-nginx' ? 'install-nginx.sh.hbs' : 'install-iis.ps1.hbs');
    const text = await readFile(script, 'utf8');
    await writeFile(script, text.replace('Installs', 'installs'));
    const stale = await aibgen(['build', project, '--check']);
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toMatch(/dist\/artifacts\/install-(nginx|iis)\.[0-9a-f]{12}\.(sh|ps1): missing/);
    expect(stale.stderr).toMatch(/dist\/template\.json: out of date\n(.*\n)* {2}- .*"scriptUri": .*\n(.*\n)*? {2}\+ .*"scriptUri": /);
    expect(stale.stderr).toContain('file(s) are stale; run aibgen build');
    expect(await snapshotFiles(join(project, 'dist'))).toEqual(first); // --check wrote nothing
    await writeFile(script, text);
  });
});

describe('delivery', () => {
  let server: Server;
  let base: string;
  let served: string;

  beforeAll(async () => {
    served = join(dir, 'served');
    server = createServer((request, response) => {
      readFile(join(served, decodeURIComponent((request.url ?? '/').slice(1)))).then(
        (body) => response.end(body),
        () => response.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function project(name: string, steps: unknown[], extra: Record<string, unknown> = {}): Promise<string> {
    const root = join(dir, name);
    await cp(join(ROOT, 'templates/init/linux'), root, { recursive: true });
    await writeFile(
      join(root, 'aibgen.json'),
      JSON.stringify({
        template: 'template.json',
        output: 'dist/template.json',
        artifacts: 'dist/artifacts',
        baseUri: base,
        os: 'linux',
        varsFiles: ['vars.json'],
        customize: steps,
        ...extra,
      }),
    );
    return root;
  }

  it('inline: the generated commands, run by real bash, recreate the script, verify it and run it; a corrupted copy fails', async () => {
    const root = await project('inline', [{ name: 'hello', script: 'hello.sh.hbs', delivery: 'inline', vars: { who: "it's me" } }]);
    await writeFile(join(root, 'hello.sh.hbs'), '#!/bin/sh\necho "hello from" {{sh who}} > "$OUT"\n');
    const result = await aibgen(['build', root, '--quiet']);
    expect(result.stderr).toBe('');
    const step = (JSON.parse(await readFile(join(root, 'dist/customize.json'), 'utf8')) as Customizer[])[0] as Customizer;
    expect(step.type).toBe('Shell');
    expect(step.scriptUri).toBeUndefined();
    const target = join(dir, 'inline-hello.sh');
    const commands = (step.inline as string[]).map((c) => c.replaceAll('/tmp/aibgen-hello.sh', target));
    const out = join(dir, 'inline-out.txt');
    const good = await run('bash', ['-e', '-c', commands.join('\n')], { env: { OUT: out } });
    expect(good.stderr).toBe('');
    expect(await readFile(out, 'utf8')).toBe("hello from it's me\n");
    const bad = await run('bash', ['-e', '-c', commands.map((c, i) => (i === 0 ? c.replace("echo '", "echo 'IyEv") : c)).join('\n')], {
      env: { OUT: join(dir, 'never.txt') },
    });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('FAILED');
    await expect(readFile(join(dir, 'never.txt'))).rejects.toThrow();
  });

  it('download: a payload over the File limit is fetched with curl from the served artifacts, checked and unpacked', async () => {
    const root = await project('download', [{ name: 'big', payload: 'payload/site', destination: join(dir, 'download-dest'), delivery: 'download' }]);
    const result = await aibgen(['build', root, '--quiet']);
    expect(result.exitCode).toBe(0);
    await cp(join(root, 'dist/artifacts'), served, { recursive: true });
    const step = (JSON.parse(await readFile(join(root, 'dist/customize.json'), 'utf8')) as Customizer[])[0] as Customizer;
    expect(step.inline?.[0]).toMatch(/^curl -fsSL/);
    const ran = await run('bash', ['-e', '-c', (step.inline as string[]).join('\n')], { env: { PATH: `${stubs}:${process.env.PATH}` } });
    expect(ran.exitCode).toBe(0);
    expect(await readTree(join(dir, 'download-dest'))).toEqual(await readTree(join(root, 'payload/site')));
  });

  it('a payload over maxSize with uri delivery fails with a hint to use download', async () => {
    const root = await project('too-big', [{ name: 'site', payload: 'payload/site', destination: '/srv', maxSize: 10 }]);
    const result = await aibgen(['build', root]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/aibgen\.json:\d+:\d+ {2}customize\[0\] "site": the archive is/);
    expect(result.stderr).toContain('set "delivery": "download" on this step');
  });
});

describe('project file errors name the place', () => {
  // aibgen.json is written with two-space indentation: customize[0] starts on line 10, column 5.
  const cases: [string, unknown[], string][] = [
    ['unknown step kind', [{ name: 'x', shell: 'a.sh' }], 'aibgen.json:10:5  customize[0]: says no step kind (name, shell); give one of: script, payload'],
    [
      'missing folder',
      [{ name: 'site', payload: 'payload/nope', destination: '/srv' }],
      'aibgen.json:10:5  customize[0].payload: folder not found (payload/nope)',
    ],
    [
      'two deprovision steps',
      [{ deprovision: true }, { deprovision: { cloudInitClean: true } }],
      'aibgen.json:10:5  customize[0]: the deprovision step must be the last step',
    ],
    [
      'duplicate names',
      [
        { name: 'setup', script: 'scripts/setup.sh.hbs' },
        { name: 'setup', inline: ['true'] },
      ],
      'aibgen.json:15:7  customize[1].name: "setup" is already the name of customize[0] (',
    ],
    ['deprovision not last', [{ deprovision: true }, { inline: ['true'] }], 'aibgen.json:10:5  customize[0]: the deprovision step must be the last step'],
    ['unknown existing', [{ existing: 'nope' }], 'aibgen.json:10:5  customize[0].existing: no step named "nope" in the template\'s customize list'],
    [
      'an option overriding the name',
      [{ restart: { name: 'x' } }],
      'aibgen.json:12:9  customize[0].restart.name: unknown setting "name"; the settings here are: restartCommand, restartCheckCommand, restartTimeout',
    ],
    ['unknown top-level key', [], 'aibgen.json:10:3  customise: unknown setting "customise"'],
  ];
  it.each(cases)('%s', async (name, steps, message) => {
    const root = join(dir, `bad-${name.replace(/ /g, '-')}`);
    await cp(join(ROOT, 'templates/init/linux'), root, { recursive: true });
    const file = {
      template: 'template.json',
      output: 'dist/template.json',
      artifacts: 'dist/artifacts',
      baseUri: 'https://x.test/a/',
      varsFiles: ['vars.json'],
      customize: steps,
      ...(name === 'unknown top-level key' ? { customise: [] } : {}),
    };
    await writeFile(join(root, 'aibgen.json'), JSON.stringify(file, null, 2));
    const result = await aibgen(['build', root]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
    await expect(readdir(join(root, 'dist'))).rejects.toThrow();
  });
});

describe('composition', () => {
  it('keeps the template outside customize byte for byte, its own steps first, existing ones where the project puts them', async () => {
    const root = join(dir, 'compose');
    await cp(join(ROOT, 'templates/init/linux'), root, { recursive: true });
    const original = (await readFile(join(root, 'template.json'), 'utf8'))
      .replace('"location": "westeurope",', '// built by aibgen\n  "location": "westeurope", /* region */')
      .replace(
        '"customize": []',
        '"customize": [ { "type": "Shell", "name": "first", "inline": ["echo 1"] }, { "type": "Shell", "name": "moved", "inline": ["echo 2"] } ]',
      );
    await writeFile(join(root, 'template.json'), original);
    await writeFile(
      join(root, 'aibgen.json'),
      JSON.stringify({
        template: 'template.json',
        output: 'dist/template.json',
        artifacts: 'dist/artifacts',
        baseUri: 'https://x.test/a/',
        varsFiles: ['vars.json'],
        customize: [{ name: 'mine', inline: ['echo 3'] }, { existing: 'moved' }],
      }),
    );
    expect((await aibgen(['build', root, '--quiet'])).exitCode).toBe(0);
    const built = await readFile(join(root, 'dist/template.json'), 'utf8');
    const names = (JSON.parse(await readFile(join(root, 'dist/customize.json'), 'utf8')) as Customizer[]).map((c) => c.name);
    expect(names).toEqual(['first', 'mine', 'moved']);
    const [before, after] = original.split(/"customize": \[.*\]/);
    expect(built.startsWith(before as string)).toBe(true);
    expect(built.endsWith(after as string)).toBe(true);
  });
});

describe('aibgen init', () => {
  it.each(['linux', 'windows'])('scaffolds a %s project that builds as it is, and refuses to overwrite', async (os) => {
    const root = join(dir, `init-${os}`);
    const created = await aibgen(['init', root, '--os', os]);
    expect(created.exitCode).toBe(0);
    expect((await readdir(root)).sort()).toEqual([
      '.gitattributes',
      '.gitignore',
      'aibgen.json',
      'aibgen.schema.json',
      'payload',
      'scripts',
      'template.json',
      'vars.json',
    ]);
    const built = await aibgen(['build', root]);
    expect(built.stderr).toBe('');
    expect(built.exitCode).toBe(0);
    if (os === 'linux' && checkWithShellcheck()) {
      const scripts = (await readdir(join(root, 'dist/artifacts'))).filter((f) => f.endsWith('.sh')).map((f) => join(root, 'dist/artifacts', f));
      expect(scripts).toHaveLength(2);
      const lint = await run('shellcheck', scripts);
      expect(lint.stdout + lint.stderr).toBe('');
    }
    const again = await aibgen(['init', root, '--os', os]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('8 problem(s); nothing was written');
  });
});
