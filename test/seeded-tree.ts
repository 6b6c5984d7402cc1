import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A tree made from a fixed seed (xorshift32), the same on every machine: a 9 MiB random file and a
 * 10 MiB text file (so the tar.gz has several gzip members, some stored) and 300 small text files.
 */
export async function writeSeededTree(root: string): Promise<void> {
  let state = 0x9e3779b9;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const bytes = (n: number, text: boolean) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = text ? 97 + (next() % 8) : next() & 0xff;
    return out;
  };
  await mkdir(join(root, 'small'), { recursive: true });
  await writeFile(join(root, 'big.bin'), bytes(9 * 1024 * 1024, false));
  await writeFile(join(root, 'big.txt'), bytes(10 * 1024 * 1024, true));
  for (let i = 0; i < 300; i++) await writeFile(join(root, 'small', `f${String(i).padStart(3, '0')}.txt`), bytes(1 + (next() % 4000), true));
}

/** sha256 and size of the seeded tree's archives. Changing these means every archive changes: a format change (ARCHIVE_FORMAT_VERSION). */
export const SEEDED_ARCHIVES = {
  tgz: ['912d3c00833f21b4e0636f6530cb53fab32676ff0e01dd108f2b881091b12e34', 13754357],
  zip: ['86a95157764fe29f0797064ff330a2801e007c08de9759bab4151ceed348881a', 13766973],
} as const;
