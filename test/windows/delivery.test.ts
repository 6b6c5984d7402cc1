import { createServer, type Server } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { bundle } from '../../src/bundle/index.js';
import { downloadCommands, inlineFileCommands, inlineScriptCommands } from '../../src/customizers/index.js';
import { sha256Hex } from '../../src/util/sha256.js';
import { readTree, type TreeEntry } from '../bundle-helpers.js';
import { itWith, tempDir } from '../helpers.js';
import { make as makeGoldenTree } from '../cli/bundle-maker.mjs';
import { plain, runPwsh, underRoot } from './pwsh.js';

let server: Server;
let base: string;
let served: string;

beforeAll(async () => {
  served = await tempDir('aibgen-served-');
  server = createServer((request, response) => {
    readFile(join(served, decodeURIComponent((request.url ?? '/').slice(1)))).then(
      (body) => response.end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** What Expand-Archive restores: contents and folders (it writes a symlink entry as a file holding the target; modes do not exist on Windows). */
function windowsView(tree: TreeEntry[]): { path: string; kind: string; content?: string }[] {
  return tree.map((e) =>
    e.kind === 'symlink'
      ? { path: e.path, kind: 'file', content: Buffer.from(e.target ?? '').toString('base64') }
      : e.kind === 'dir'
        ? { path: e.path, kind: 'dir' }
        : { path: e.path, kind: 'file', content: e.content },
  );
}

describe('the PowerShell delivery commands, run by a real PowerShell', () => {
  itWith('pwsh')('inline delivery writes the exact bytes, checks them, runs the script; one changed byte stops it before anything runs', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'C/Windows/Temp'), { recursive: true });
    const marker = join(root, 'ran.txt');
    const script = Buffer.from(`Set-Content -LiteralPath '${marker}' -Value 'ran Grüße'\r\nexit 0\r\n`, 'utf8');
    const file = Buffer.from([0, 1, 2, 255, 13, 10, 0x27, 0xe2, 0x80, 0x99]);
    const commands = [
      ...underRoot(inlineFileCommands({ os: 'windows', path: 'C:\\Windows\\Temp\\payload.bin', content: file }), root),
      ...underRoot(inlineScriptCommands('windows', 'setup', script), root),
    ];
    const ok = await runPwsh(`$ErrorActionPreference = 'Stop'\n${commands.join('\n')}\n`);
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    expect(await readFile(join(root, 'C/Windows/Temp/payload.bin'))).toEqual(file);
    expect(await readFile(marker, 'utf8')).toBe('ran Grüße\n');
    expect(existsSync(join(root, 'C/Windows/Temp/aibgen-setup.ps1'))).toBe(false);

    const other = await tempDir();
    await mkdir(join(other, 'C/Windows/Temp'), { recursive: true });
    const tampered = underRoot(
      inlineScriptCommands('windows', 'setup', Buffer.from(`Set-Content -LiteralPath '${join(other, 'ran.txt')}' -Value x\r\n`)),
      other,
    );
    // One byte of the payload changed in the template: the base64 decodes to other bytes.
    tampered[0] = (tampered[0] as string).replace(/FromBase64String\('(.)/, (_, c: string) => `FromBase64String('${c === 'A' ? 'B' : 'A'}`);
    const stopped = await runPwsh(`$ErrorActionPreference = 'Stop'\n${tampered.join('\n')}\n`);
    expect(stopped.exitCode).not.toBe(0);
    expect(plain(stopped.stderr)).toContain('SHA-256 does not match');
    expect(existsSync(join(other, 'ran.txt'))).toBe(false);
  });

  itWith('pwsh')(
    'download delivery fetches our zip, checks it and unpacks it to exactly the source tree; a wrong checksum stops it',
    { timeout: 60_000 },
    async () => {
      const source = await tempDir();
      const tree = join(source, 'site');
      const sources: [string, string][] = [
        ['index.html', '<h1>hi</h1>\n'],
        ['assets/css/site.css', 'body{}\n'],
        ['ünïcødé/名前.txt', 'unicode\n'],
        ['deep/a/b/c/d.txt', 'deep\n'],
      ];
      for (const [path, content] of sources) {
        await mkdir(join(tree, path, '..'), { recursive: true });
        await writeFile(join(tree, path), content);
      }
      await mkdir(join(tree, 'empty/folder'), { recursive: true });
      const archive = await bundle(tree, { output: join(served, 'site.zip') });
      const root = await tempDir();
      await mkdir(join(root, 'C/Windows/Temp'), { recursive: true });
      const commands = underRoot(
        downloadCommands({ os: 'windows', uri: `${base}site.zip`, sha256: archive.sha256, archiveName: 'site.zip', destination: 'C:\\aibgen\\site' }),
        root,
      );
      const ok = await runPwsh(`$ErrorActionPreference = 'Stop'\n${commands.join('\n')}\n`);
      expect(ok.stderr).toBe('');
      expect(ok.exitCode).toBe(0);
      expect(await readTree(join(root, 'C/aibgen/site'))).toEqual((await readTree(tree)).map((e) => (e.kind === 'file' ? { ...e, executable: false } : e)));
      expect(existsSync(join(root, 'C/Windows/Temp/site.zip'))).toBe(false);

      const wrong = await tempDir();
      await mkdir(join(wrong, 'C/Windows/Temp'), { recursive: true });
      const bad = underRoot(
        downloadCommands({ os: 'windows', uri: `${base}site.zip`, sha256: sha256Hex('other'), archiveName: 'site.zip', destination: 'C:\\aibgen\\site' }),
        wrong,
      );
      const stopped = await runPwsh(`$ErrorActionPreference = 'Stop'\n${bad.join('\n')}\n`);
      expect(stopped.exitCode).not.toBe(0);
      expect(plain(stopped.stderr)).toContain('SHA-256 does not match');
      expect(existsSync(join(wrong, 'C/aibgen'))).toBe(false);
    },
  );
});

const segment = fc.oneof(fc.stringMatching(/^[a-z0-9_-]{1,10}$/), fc.constantFrom('ünïcødé', '名前', 'émoji-🙂', 'Straße', 'x'.repeat(90)));
const files = fc
  .uniqueArray(
    fc.record({
      path: fc.array(segment, { minLength: 1, maxLength: 5 }).map((p) => p.join('/')),
      content: fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 2000 })),
    }),
    { minLength: 1, maxLength: 8, selector: (f) => f.path.toLowerCase() },
  )
  .filter((list) => list.every((a) => list.every((b) => a === b || !b.path.toLowerCase().startsWith(`${a.path.toLowerCase()}/`))));

describe("our zips expand with PowerShell's Expand-Archive", () => {
  itWith('pwsh')('to exactly the source tree: the golden tree and random trees (fast-check), in one PowerShell process', { timeout: 120_000 }, async () => {
    const dir = await tempDir();
    const cases: { tree: string; zip: string; out: string }[] = [];
    const golden = join(dir, 'golden');
    await mkdir(golden);
    await makeGoldenTree(golden);
    cases.push({ tree: golden, zip: join(dir, 'golden.zip'), out: join(dir, 'golden-out') });
    const samples = fc.sample(files, { numRuns: 25, seed: 14 });
    for (const [i, sample] of samples.entries()) {
      const tree = join(dir, `t${i}`);
      for (const f of sample) {
        await mkdir(join(tree, f.path, '..'), { recursive: true });
        await writeFile(join(tree, f.path), f.content);
      }
      await mkdir(join(tree, 'zz-empty'), { recursive: true });
      cases.push({ tree, zip: join(dir, `t${i}.zip`), out: join(dir, `t${i}-out`) });
    }
    for (const c of cases) await bundle(c.tree, { output: c.zip, followSymlinks: false });
    const script = cases.map((c) => `Expand-Archive -LiteralPath '${c.zip}' -DestinationPath '${c.out}' -Force`).join('\n');
    const result = await runPwsh(`$ErrorActionPreference = 'Stop'\n$ProgressPreference = 'SilentlyContinue'\n${script}\n`);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    for (const c of cases) {
      const expected = windowsView(await readTree(c.tree)).map((e) => ({ ...e }));
      const actual = windowsView(await readTree(c.out));
      expect(actual, c.tree).toEqual(expected);
    }
  });
});
