import { createHash } from 'node:crypto';
import { rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { HashMemo } from '../../src/checksum/hash-memo.js';
import { tempDir } from '../helpers.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('hashes remembered by file identity', () => {
  it('a settled file is not read again; an edit with its mtime put back, a replaced file and AIBGEN_CACHE=0 are hashed again', async () => {
    const dir = await tempDir();
    const env = { XDG_CACHE_HOME: await tempDir('aibgen-cache-') };
    const file = join(dir, 'a.txt');
    await writeFile(file, 'one');
    const fresh = new HashMemo(dir, env);
    expect(await fresh.hash(file)).toEqual({ sha256: sha('one'), size: 3 });
    await fresh.save();
    // Just written: within the racy window, so not remembered (a coarse clock could hide a second edit).
    const racy = new HashMemo(dir, env);
    await racy.hash(file);
    expect(racy.counts).toEqual({ hashed: 1, remembered: 0 });
    await racy.save();

    await sleep(2100);
    const first = new HashMemo(dir, env);
    await first.hash(file);
    await first.save();
    const second = new HashMemo(dir, env);
    expect(await second.hash(file)).toEqual({ sha256: sha('one'), size: 3 });
    expect(second.counts).toEqual({ hashed: 0, remembered: 1 });

    // Same size, the old modification time restored: the change time still moved.
    const before = await stat(file);
    await writeFile(file, 'two');
    await utimes(file, before.atime, before.mtime);
    const edited = new HashMemo(dir, env);
    expect((await edited.hash(file)).sha256).toBe(sha('two'));
    expect(edited.counts.hashed).toBe(1);

    // Another file renamed over it: another inode.
    await writeFile(join(dir, 'b.txt'), 'six');
    await rename(join(dir, 'b.txt'), file);
    expect((await new HashMemo(dir, env).hash(file)).sha256).toBe(sha('six'));

    const off = new HashMemo(dir, { ...env, AIBGEN_CACHE: '0' });
    await off.hash(file);
    await off.hash(file);
    expect(off.counts).toEqual({ hashed: 2, remembered: 0 });
  });
});
