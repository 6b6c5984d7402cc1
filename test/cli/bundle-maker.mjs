// Recreates the bundle test payload in reverse order (run by the determinism test under umask 077).
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const longName = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(90)}.txt`;
const veryLong = `${'x'.repeat(120)}/${'y'.repeat(200)}.txt`;

export async function make(root) {
  const files = [
    [veryLong, 'very long path\n', 0o600],
    [longName, 'long path\n', 0o644],
    ['empty-file', '', 0o600],
    ['ünïcødé/名前.txt', 'unicode\n', 0o600],
    ['conf/nginx.conf', 'server { listen 80; }\r\n', 0o600],
    ['bin/install.sh', '#!/bin/sh\necho install\n', 0o700],
    ['README.md', '# site\n', 0o600],
  ];
  await symlink('../README.md', join(root, 'bin/readme-link')).catch(() => undefined);
  for (const [path, content, mode] of files) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
    await chmod(join(root, path), mode);
  }
  await symlink('../README.md', join(root, 'bin/readme-link')).catch(() => undefined);
  await symlink('conf/nginx.conf', join(root, 'nginx.conf'));
  await mkdir(join(root, 'logs/empty'), { recursive: true });
}
