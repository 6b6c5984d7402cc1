import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sweepDeadTempDirs } from '../../util/leftovers.js';
import type { LintUnit } from '../unit.js';

/**
 * Gives every unit an absolute path on disk (inline commands and rendered scripts get scratch
 * copies). Absolute paths cannot be read as options by any engine (`-x.sh`, `--help.sh`).
 */
export class Scratch {
  private dir: Promise<string> | undefined;
  private readonly paths = new Map<LintUnit, Promise<string>>();

  /** `base`: where scratch copies go (a build passes its staging folder); default $TMPDIR, named by pid so leftovers of killed runs can be swept. */
  constructor(private readonly base?: string) {}

  /** The engines ask at the same time: the folder and each copy are made once (promises, not flags). */
  pathOf(unit: LintUnit): Promise<string> {
    if (unit.path) return Promise.resolve(resolve(unit.path));
    let path = this.paths.get(unit);
    if (!path) {
      this.dir ??= (async () => {
        if (!this.base) await sweepDeadTempDirs('aibgen-lint-');
        return mkdtemp(join(resolve(this.base ?? tmpdir()), `aibgen-lint-${process.pid}-`));
      })();
      const index = this.paths.size;
      path = this.dir.then(async (dir) => {
        const file = join(dir, `${index}.${unit.language === 'shell' ? 'sh' : 'ps1'}`);
        await writeFile(file, unit.bytes);
        return file;
      });
      this.paths.set(unit, path);
    }
    return path;
  }

  async dispose(): Promise<void> {
    if (this.dir) await rm(await this.dir, { recursive: true, force: true });
  }
}
