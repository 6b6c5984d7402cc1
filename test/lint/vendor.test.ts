import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

describe('vendored tree-sitter-bash', () => {
  it('is the pinned WebAssembly build of tree-sitter-bash 0.25.1, shipped with its licence', async () => {
    const dir = join(ROOT, 'vendor', 'tree-sitter-bash');
    const sha = createHash('sha256')
      .update(await readFile(join(dir, 'tree-sitter-bash.wasm')))
      .digest('hex');
    expect(sha).toBe('8292919c88a0f7d3fb31d0cd0253ca5a9531bc1ede82b0537f2c63dd8abe6a7a');
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toContain(sha);
    expect(await readFile(join(dir, 'LICENSE'), 'utf8')).toMatch(/MIT License/);
  });
});
