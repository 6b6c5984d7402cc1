import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tarHeader } from '../../src/bundle/tar-header.js';
import { tokenize } from '../../src/bicep/index.js';
import { unifiedDiff } from '../../src/project/diff.js';
import { mapLimit } from '../../src/util/concurrency.js';
import { formatSize, parseSize } from '../../src/util/size.js';
import { readTree } from '../bundle-helpers.js';
import { aibgen, run, tempDir } from '../helpers.js';
import { SEEDED_ARCHIVES, writeSeededTree } from '../seeded-tree.js';

/** The non-zero spans of a block as `offset:hex` pairs: compact, and every byte is pinned (the rest is zero). */
function spans(block: Buffer): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < block.length) {
    if (block[i] === 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < block.length && block[j] !== 0) j++;
    out.push(`${i}:${block.subarray(i, j).toString('hex')}`);
    i = j;
  }
  return out;
}

describe('tar headers, pinned byte for byte', () => {
  it('a 100-byte name fills the name field exactly, with no prefix', () => {
    const name = `${'n'.repeat(96)}.txt`;
    const header = tarHeader({ path: name, type: 'file', mode: 0o644, size: 5, mtime: 315532800 });
    expect(header.length).toBe(512);
    expect(spans(header)).toEqual([
      `0:${Buffer.from(name).toString('hex')}${Buffer.from('0000644').toString('hex')}`,
      `108:${Buffer.from('0000000').toString('hex')}`,
      `116:${Buffer.from('0000000').toString('hex')}`,
      `124:${Buffer.from('00000000005').toString('hex')}`,
      `136:${Buffer.from('02263523000').toString('hex')}`, // 1980-01-01T00:00:00Z
      `148:${Buffer.from('034547').toString('hex')}`, // the header checksum
      `155:${Buffer.from(' 0').toString('hex')}`,
      `257:${Buffer.from('ustar').toString('hex')}`,
      `263:${Buffer.from('00').toString('hex')}`,
      `329:${Buffer.from('0000000').toString('hex')}`,
      `337:${Buffer.from('0000000').toString('hex')}`,
    ]);
  });

  it('a long path splits at the rightmost slash that leaves a prefix of at most 155 bytes', () => {
    const prefix = `${'p'.repeat(100)}/${'q'.repeat(54)}`; // 155 bytes
    const path = `${prefix}/${'f'.repeat(99)}`;
    const header = tarHeader({ path, type: 'file', mode: 0o755, size: 0, mtime: 0 });
    expect(header.length).toBe(512);
    expect(header.subarray(0, 100).toString()).toBe('f'.repeat(99) + '\0');
    expect(header.subarray(345, 500).toString()).toBe(prefix);
    expect(header.subarray(148, 156).toString()).toBe('074667\0 ');
  });

  it('a path that fits no split gets a pax path record in a fixed-name extended header', () => {
    const path = `${'a'.repeat(120)}/${'b'.repeat(200)}.txt`;
    const header = tarHeader({ path, type: 'file', mode: 0o644, size: 1, mtime: 315532800 });
    expect(header.length).toBe(1536);
    expect(header.subarray(0, 14).toString()).toBe('././@PaxHeader');
    expect(header.subarray(156, 157).toString()).toBe('x');
    // "<length> path=<path>\n", where the length counts its own digits.
    const record = `335 path=${path}\n`;
    expect(record.length).toBe(335);
    expect(header.subarray(512, 512 + 335).toString()).toBe(record);
    expect(header.subarray(512 + 335, 1024).every((b) => b === 0)).toBe(true);
    expect(header.subarray(1024, 1124).toString()).toBe(path.slice(0, 100));
  });

  it('GNU tar reads all three back with the same names', async () => {
    const dir = await tempDir();
    const names = [`${'n'.repeat(96)}.txt`, `${'p'.repeat(100)}/${'q'.repeat(54)}/${'f'.repeat(99)}`, `${'a'.repeat(120)}/${'b'.repeat(200)}.txt`];
    const blocks = names.flatMap((path) => [tarHeader({ path, type: 'file', mode: 0o644, size: 0, mtime: 315532800 })]);
    await writeFile(join(dir, 'h.tar'), Buffer.concat([...blocks, Buffer.alloc(1024)]));
    const listed = await run('tar', ['-tf', join(dir, 'h.tar')]);
    expect(listed.stdout.trim().split('\n')).toEqual(names);
  });
});

describe('the Bicep lexer', () => {
  it('reads escapes, interpolation, multi-line strings and comments with their offsets', () => {
    const text = "var a = 'it\\'s ${b}/x' // note\nvar m = '''\nraw ${not}\n'''\n/* c */ x";
    const tokens = tokenize(text);
    const kinds = tokens.map((t) => t.kind);
    expect(kinds).toEqual(['ident', 'ident', 'punct', 'string', 'comment', 'newline', 'ident', 'ident', 'punct', 'string', 'newline', 'comment', 'ident']);
    const first = tokens[3] as Extract<(typeof tokens)[number], { kind: 'string' }>;
    expect(first.parts).toEqual([
      { kind: 'text', value: "it's " },
      { kind: 'expr', text: 'b', start: text.indexOf('b}'), end: text.indexOf('b}') + 1 },
      { kind: 'text', value: '/x' },
    ]);
    const multi = tokens[9] as Extract<(typeof tokens)[number], { kind: 'string' }>;
    expect(multi.multiline).toBe(true);
    expect(multi.parts).toEqual([{ kind: 'text', value: 'raw ${not}\n' }]);
  });
});

describe('the unified diff of stale files', () => {
  it('shows the changed lines with two lines of context', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].join('\n') + '\n';
    const after = ['a', 'b', 'c', 'D', 'e', 'f', 'g'].join('\n') + '\n';
    expect(unifiedDiff('t.json', before, after)).toEqual(['--- t.json (on disk)', '+++ t.json (built)', '@@ -2,5 +2,5 @@', ' b', ' c', '-d', '+D', ' e', ' f']);
  });
});

describe('sizes', () => {
  it.each([
    ['20MB', 20_000_000],
    ['512KiB', 524_288],
    ['1.5GB', 1_500_000_000],
    ['1000000', 1_000_000],
    [' 7 kb ', 7000],
    ['2MiB', 2 * 1024 * 1024],
  ])('parses %s', (text, bytes) => expect(parseSize(text)).toBe(bytes));
  it.each(['', 'MB', '-5MB', '1e9', '5 TB', '1.2.3MB'])('refuses %j', (text) => expect(parseSize(text)).toBeUndefined());
  it('formats', () => expect([999, 1500, 2_500_000, 3_000_000_000].map(formatSize)).toEqual(['999 B', '1.5 kB', '2.50 MB', '3.00 GB']));
});

describe('the concurrency helper', () => {
  it('keeps order, caps work in flight, stops taking work after a failure and waits for the running ones', async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const finished: number[] = [];
    const work = mapLimit([0, 1, 2, 3, 4, 5, 6, 7], 2, async (n) => {
      started.push(n);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, n === 1 ? 5 : 30));
      inFlight--;
      finished.push(n);
      if (n === 1) throw new Error('one failed');
      return n;
    });
    await expect(work).rejects.toThrow('one failed');
    expect(most).toBe(2);
    // 0 and 1 ran; after 1 failed, 2 had been started in its lane only if 1 had succeeded: it did not.
    expect(started).toEqual([0, 1]);
    expect(finished.sort()).toEqual([0, 1]);
    expect(await mapLimit([3, 1, 2], 2, (n) => new Promise<number>((r) => setTimeout(() => r(n * 10), n * 5)))).toEqual([30, 10, 20]);
  });
});

describe('a seeded multi-member archive', () => {
  it('a tree with a file over 8 MiB and many small files gives pinned bytes in both formats', async () => {
    const dir = await tempDir();
    const root = join(dir, 'tree');
    await writeSeededTree(root);
    const tgz = await aibgen(['bundle', root, '-o', join(dir, 'a.tar.gz'), '--max-size', '1GB', '--json']);
    const zip = await aibgen(['bundle', root, '-o', join(dir, 'a.zip'), '--max-size', '1GB', '--json']);
    expect(tgz.exitCode, tgz.stderr).toBe(0);
    const result = { tgz: JSON.parse(tgz.stdout) as { sha256: string; size: number }, zip: JSON.parse(zip.stdout) as { sha256: string; size: number } };
    expect({ tgz: [result.tgz.sha256, result.tgz.size], zip: [result.zip.sha256, result.zip.size] }).toEqual({
      tgz: [...SEEDED_ARCHIVES.tgz],
      zip: [...SEEDED_ARCHIVES.zip],
    });
    // Several gzip members (the big files get their own): GNU tar and unzip restore the exact tree.
    for (const [tool, args] of [
      ['tar', ['-xzf', join(dir, 'a.tar.gz'), '-C']],
      ['unzip', ['-q', join(dir, 'a.zip'), '-d']],
    ] as const) {
      const out = join(dir, `out-${tool}`);
      await mkdir(out);
      expect((await run(tool, [...args, out])).exitCode).toBe(0);
      expect(await readTree(out)).toEqual(await readTree(root));
    }
  });
});
