import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface TreeEntry {
  path: string;
  kind: 'file' | 'dir' | 'symlink';
  executable?: boolean;
  content?: string;
  target?: string;
}

/** Reads a folder back as sorted entries: what a round trip must preserve. */
export async function readTree(root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const visit = async (dir: string, rel: string) => {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name);
      const path = rel ? `${rel}/${name}` : name;
      const info = await lstat(full);
      if (info.isDirectory()) {
        out.push({ path, kind: 'dir' });
        await visit(full, path);
      } else if (info.isSymbolicLink()) {
        out.push({ path, kind: 'symlink', target: await readlink(full) });
      } else {
        out.push({ path, kind: 'file', executable: (info.mode & 0o100) !== 0, content: (await readFile(full)).toString('base64') });
      }
    }
  };
  await visit(root, '');
  return out;
}
