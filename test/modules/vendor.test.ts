import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, run } from '../helpers.js';

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe('vendored builds: pinned byte for byte, shipped with their licences', () => {
  it('libdeflate.js 0.1.0 (its engines field is the only reason it is vendored)', async () => {
    const dir = join(ROOT, 'vendor', 'libdeflate');
    expect(await sha256(join(dir, 'index.js'))).toBe('49f2d320276acbf6db668779a7b42ba9af25004a522ed0990b25a33670335785');
    expect(await sha256(join(dir, 'dist', 'libdeflate.wasm.mjs'))).toBe('0fb97852aab6f9a8938eb1e6c244d941d733554ea64ce40e21d88e5e56fd526d');
    expect(await readFile(join(dir, 'LICENSE.txt'), 'utf8')).toMatch(/The MIT License[\s\S]*libdeflate copyright 2016 Eric Biggers/);
  });

  it("web-tree-sitter's runtime is the development dependency's (whose types aibgen compiles against), 0.27.2", async () => {
    const dir = join(ROOT, 'vendor', 'web-tree-sitter');
    const dev = join(ROOT, 'node_modules', 'web-tree-sitter');
    expect((JSON.parse(await readFile(join(dev, 'package.json'), 'utf8')) as { version: string }).version).toBe('0.27.2');
    for (const file of ['web-tree-sitter.js', 'web-tree-sitter.wasm', 'LICENSE'])
      expect(await sha256(join(dir, file)), file).toBe(await sha256(join(dev, file)));
    expect(await sha256(join(dir, 'web-tree-sitter.wasm'))).toBe('488beeff7adb7fd7e21e97cc29a43dc6d031977755eda892d6d96c7f456cfdec');
  });

  it('is the pinned WebAssembly build of tree-sitter-bash 0.25.1, shipped with its licence', async () => {
    const dir = join(ROOT, 'vendor', 'tree-sitter-bash');
    const sha = await sha256(join(dir, 'tree-sitter-bash.wasm'));
    expect(sha).toBe('8292919c88a0f7d3fb31d0cd0253ca5a9531bc1ede82b0537f2c63dd8abe6a7a');
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toContain(sha);
    expect(await readFile(join(dir, 'LICENSE'), 'utf8')).toMatch(/MIT License/);
  });

  it('every vendored file is committed: a clean clone has them all (an ignore rule once hid one)', async () => {
    const onDisk = (await readdir(join(ROOT, 'vendor'), { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(ROOT.length + 1))
      .sort();
    const ignored = await run('git', ['check-ignore', '--no-index', ...onDisk], { cwd: ROOT });
    expect(ignored.stdout.trim(), 'ignored by .gitignore').toBe('');
    const tracked = await run('git', ['ls-files', '--', 'vendor'], { cwd: ROOT });
    if (tracked.exitCode === 0 && tracked.stdout.trim()) expect(onDisk.filter((f) => !tracked.stdout.split('\n').includes(f))).toEqual([]);
  });
});
