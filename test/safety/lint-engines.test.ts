import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aibgen, hasTool, itWith, run, tempDir } from '../helpers.js';

/**
 * lint fails closed: a path is never an option, an engine that crashes, hangs or answers oddly is a
 * failure (AIB216, exit 2) for exactly the files it was to check, one file cannot switch off the
 * checks of others, and what engines print is data, cleaned before it is printed.
 */

interface Report {
  files: { file: string; findings: { rule: string; line: number; column: number; severity: string; message: string }[]; notes: string[] }[];
  engines: { name: string; path: string; version: string }[];
}

const json = (stdout: string) => JSON.parse(stdout) as Report;
const rulesOf = (report: Report, file: string) => report.files.find((f) => f.file.endsWith(file))?.findings.map((f) => f.rule) ?? [];

/** A stand-in for an engine: a bash script that prints `stdout` (or does `action`) whatever it is asked. */
async function fakeEngine(dir: string, name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/bash\n# a fake engine for a test\nif [ "$1" = "--version" ]; then echo "version: 0.0-fake"; exit 0; fi\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('paths are never options', () => {
  itWith('shellcheck')('-x.sh, +n.sh and --help.sh are checked as files, and ShellCheck still checks the others', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '-x.sh'), 'if then\n');
    await writeFile(join(dir, '+n.sh'), '#!/bin/bash\nif then\n');
    await writeFile(join(dir, '--help.sh'), '#!/bin/bash\nif then\n');
    await writeFile(join(dir, 'ok.sh'), '#!/bin/bash\necho $1\n');
    const result = await aibgen(['lint', '.', '--format', 'json'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    const report = json(result.stdout);
    for (const name of ['-x.sh', '+n.sh', '--help.sh']) {
      expect(rulesOf(report, name)).toContain('AIB214');
      expect(rulesOf(report, name)).toContain('SC1073');
    }
    expect(rulesOf(report, 'ok.sh')).toContain('SC2086');
    const explicit = await aibgen(['lint', '--format', 'json', '--', '-x.sh'], { cwd: dir });
    expect(rulesOf(json(explicit.stdout), '-x.sh')).toEqual(expect.arrayContaining(['AIB214', 'SC1073']));
    expect(explicit.exitCode).toBe(1);
  });
});

describe('an engine that fails is a failure', () => {
  const cases: [string, string, RegExp][] = [
    ['a crash (a signal)', 'kill -SEGV $$', /killed by SIGSEGV/],
    ['a non-zero exit without its format', 'echo "out of memory" >&2; exit 3', /exited with 3 \(out of memory\)/],
    ['garbage', 'echo "Segmentation fault (core dumped)"; exit 1', /not JSON/],
    ['JSON null', 'echo null; exit 0', /no list of comments/],
    ['JSON of another shape', 'echo \'[{"id":5}]\'; exit 1', /no list of comments/],
    ['a comment without a line', 'echo \'{"comments":[{"file":"x","column":1,"level":"error","code":1,"message":"m"}]}\'; exit 1', /does not understand/],
    [
      'a line of 1e999',
      'f=$(readlink -f "${@: -1}"); printf \'{"comments":[{"file":"%s","line":1e999,"column":1,"level":"error","code":1000,"message":"m"}]}\' "$f"; exit 1',
      /does not understand/,
    ],
    ['exit 1 with no comments', 'echo \'{"comments":[]}\'; exit 1', /listed no comments/],
  ];
  for (const [what, body, why] of cases) {
    it(`ShellCheck: ${what} makes every file it was to check "not checked" (AIB216), exit 2`, async () => {
      const dir = await tempDir();
      const engine = await fakeEngine(dir, 'shellcheck', body);
      await mkdir(join(dir, 's'));
      await writeFile(join(dir, 's', 'a.sh'), '#!/bin/bash\necho a\n');
      await writeFile(join(dir, 's', 'b.sh'), 'echo b\n');
      const result = await aibgen(['lint', join(dir, 's'), '--format', 'json'], { env: { AIBGEN_SHELLCHECK: engine } });
      expect(result.exitCode, result.stderr).toBe(2);
      const report = json(result.stdout);
      for (const name of ['a.sh', 'b.sh']) {
        const finding = report.files.find((f) => f.file.endsWith(name))?.findings.find((f) => f.rule === 'AIB216');
        expect(finding, name).toBeDefined();
        expect(finding!.message).toMatch(/could not be checked by ShellCheck/);
        expect(finding!.message).toMatch(why);
      }
      expect(result.stderr).toContain('this is not a pass');
    });
  }

  it('pwsh printing null, or exiting without its answer, is a failure, not "no problems" or an internal error', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.ps1'), 'Write-Output 1\r\n');
    for (const body of ['cat >/dev/null; echo null', 'cat >/dev/null; echo \'{"version":"7","results":[{"id":9,"errors":[],"findings":[]}]}\'', 'exit 0']) {
      const engine = await fakeEngine(dir, 'pwsh', body);
      const result = await aibgen(['lint', join(dir, 'a.ps1'), '--format', 'json'], { env: { AIBGEN_PWSH: engine } });
      expect(result.exitCode, body).toBe(2);
      expect(rulesOf(json(result.stdout), 'a.ps1'), body).toContain('AIB216');
      expect(result.stderr).not.toContain('internal error');
    }
  });

  it('what an engine prints is cleaned of terminal escapes and control characters before it is shown', async () => {
    const dir = await tempDir();
    const body = `f=$(readlink -f "\${@: -1}"); printf '{"comments":[{"file":"%s","line":1,"column":1,"level":"warning","code":2000,"message":"\\\\u001b]0;pwned\\\\u0007\\\\u001b[31mred\\\\u001b[0m text\\\\u202e"}]}' "$f"; exit 1`;
    const engine = await fakeEngine(dir, 'shellcheck', body);
    await writeFile(join(dir, 'a.sh'), '#!/bin/bash\necho a\n');
    const result = await aibgen(['lint', join(dir, 'a.sh')], { env: { AIBGEN_SHELLCHECK: engine } });
    expect(result.stdout).toContain('SC2000 shellcheck  red text');
    expect(result.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(result.exitCode).toBe(0);
  });
});

describe('bounded engines', () => {
  itWith('shellcheck')('a script that makes ShellCheck run forever is stopped at --engine-timeout, reported, and leaves no process', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '.shellcheckrc'), 'external-sources=true\n');
    await writeFile(join(dir, 'a.sh'), '#!/bin/bash\n# shellcheck source=/dev/zero\n. ./lib.sh\necho hi\n');
    const started = Date.now();
    const result = await aibgen(['lint', 'a.sh', '--engine-timeout', '2', '--format', 'json'], { cwd: dir });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.exitCode).toBe(2);
    const finding = json(result.stdout).files[0]!.findings.find((f) => f.rule === 'AIB216');
    expect(finding?.message).toContain('could not be checked by ShellCheck: it did not finish within 2 s');
    const left = await run('pgrep', ['-f', 'source=/dev/zero|shellcheck.*aibgen']);
    expect(left.stdout).toBe('');
  });

  it('a hung engine in a batch does not cost the other files their checks: they are checked one by one', async () => {
    const dir = await tempDir();
    // Hangs when asked about hang.sh (alone or in the batch); answers normally for anything else.
    const body = `for a in "$@"; do case "$a" in *hang.sh) sleep 600;; esac; done
f=$(readlink -f "\${@: -1}"); printf '{"comments":[{"file":"%s","line":2,"column":1,"level":"warning","code":2001,"message":"seen"}]}' "$f"; exit 1`;
    const engine = await fakeEngine(dir, 'shellcheck', body);
    await mkdir(join(dir, 's'));
    await writeFile(join(dir, 's', 'hang.sh'), '#!/bin/bash\necho x\n');
    await writeFile(join(dir, 's', 'ok.sh'), '#!/bin/bash\necho y\n');
    const result = await aibgen(['lint', join(dir, 's'), '--engine-timeout', '1', '--format', 'json'], { env: { AIBGEN_SHELLCHECK: engine } });
    const report = json(result.stdout);
    expect(rulesOf(report, 'hang.sh')).toContain('AIB216');
    expect(rulesOf(report, 'ok.sh')).toEqual(['SC2001']);
    expect(result.exitCode).toBe(2);
  });

  itWith('pwsh')("a 20,000-deep .ps1 breaks PowerShell's parser alone: a PowerShell 7-only script beside it still gets its finding", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'deep.ps1'), `$a = ${'('.repeat(20_000)}1${')'.repeat(20_000)}\r\n`);
    await writeFile(join(dir, 'ps7.ps1'), '$a = $null ?? 1\r\n');
    const result = await aibgen(['lint', dir, '--format', 'json']);
    const report = json(result.stdout);
    expect(rulesOf(report, 'deep.ps1')).toContain('AIB216');
    expect(rulesOf(report, 'ps7.ps1')).toContain('AIB211');
    expect(result.exitCode).toBe(2);
  });

  it('scripts over --max-script-size are not checked, and said so', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'big.sh'), `#!/bin/bash\n${'echo padding\n'.repeat(2000)}`);
    const result = await aibgen(['lint', join(dir, 'big.sh'), '--max-script-size', '10KB', '--format', 'json']);
    expect(result.exitCode).toBe(2);
    expect(json(result.stdout).files[0]!.findings[0]!.message).toMatch(/over the limit of 10000 \(--max-script-size\)/);
  });
});

describe('what lint says about the run', () => {
  it('nothing to lint is exit 2 and says why (all ignored by .aibignore); --allow-empty makes it 0', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '.aibignore'), '*\n');
    await writeFile(join(dir, 'a.sh'), '#!/bin/sh\nreboot\n');
    const result = await aibgen(['lint', dir]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /nothing to lint in .*: no \.sh, \.ps1 or template file \(1 file\(s\) or folder\(s\) are ignored by \.gitignore or \.aibignore\)/,
    );
    expect((await aibgen(['lint', dir, '--allow-empty'])).exitCode).toBe(0);
  });

  it('JSON output and --verbose name each engine with its path and version', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.sh'), '#!/bin/sh\necho a\n');
    const result = await aibgen(['lint', join(dir, 'a.sh'), '--format', 'json']);
    const engines = json(result.stdout).engines;
    expect(engines.map((e) => e.name)).toContain('bash');
    if (hasTool('shellcheck')) expect(engines.find((e) => e.name === 'shellcheck')?.version).toMatch(/^\d+\.\d+/);
    const verbose = await aibgen(['lint', join(dir, 'a.sh'), '--verbose']);
    expect(verbose.stderr).toMatch(/engine: bash \S+ \(\/\S+bash\)/);
  });
});
