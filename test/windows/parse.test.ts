import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { ROOT, aibgen, itWith, tempDir } from '../helpers.js';

interface Report {
  files: { file: string; findings: { rule: string; line: number; message: string }[]; notes: string[] }[];
}

describe('every .ps1 aibgen writes, and every PowerShell command it generates, parses under PowerShell and needs no PowerShell 7', () => {
  itWith('pwsh')(
    'deprovision variants, rendered scripts, init and example outputs, and the inline commands of built templates',
    { timeout: 120_000 },
    async () => {
      const dir = await tempDir();
      const written: string[] = [];
      for (const [name, flags] of [
        ['default', []],
        ['mode-vm', ['--mode-vm']],
        [
          'pre',
          ['--pre', "Write-Output 'it''s here'", '--pre', 'Remove-Item -Recurse -Force C:\\Temp\\x -ErrorAction SilentlyContinue', '--timeout-minutes', '0.5'],
        ],
      ] as const) {
        const out = join(dir, 'deprovision', name, 'DeprovisioningScript.ps1');
        await mkdir(join(out, '..'), { recursive: true });
        expect((await aibgen(['deprovision', '--os', 'windows', '-o', out, ...flags])).exitCode).toBe(0);
        written.push(out);
      }
      // The Windows example (uri delivery), the init scaffold, and a project using inline and download delivery.
      const example = join(dir, 'windows-iis');
      await cp(join(ROOT, 'examples/windows-iis'), example, { recursive: true, filter: (src) => !src.includes('/dist') });
      const scaffold = join(dir, 'init');
      expect((await aibgen(['init', scaffold, '--os', 'windows'])).exitCode).toBe(0);
      const inline = join(dir, 'inline');
      await cp(join(ROOT, 'templates/init/windows'), inline, { recursive: true });
      await writeFile(join(inline, 'files.txt'), 'a file\n');
      await writeFile(
        join(inline, 'aibgen.json'),
        JSON.stringify({
          template: 'template.json',
          output: 'dist/template.json',
          artifacts: 'dist/artifacts',
          baseUri: 'https://x.test/a/?sv=1&sig=abc',
          varsFiles: ['vars.json'],
          customize: [
            { name: 'setup', script: 'scripts/setup.ps1.hbs', delivery: 'inline', runElevated: true },
            { name: 'note', file: 'files.txt', destination: 'C:\\Windows\\Temp\\note.txt', delivery: 'inline' },
            { name: 'site', payload: 'payload/site', destination: "C:\\it's\\site", delivery: 'download' },
            { deprovision: { modeVm: true }, delivery: 'inline' },
          ],
        }),
      );
      for (const project of [example, scaffold, inline]) {
        const built = await aibgen(['build', project, '--quiet', '--no-lint']);
        expect(built.exitCode, built.stderr).toBe(0);
        written.push(join(project, 'dist'));
      }
      const result = await aibgen(['lint', '--format', 'json', ...written]);
      const report = JSON.parse(result.stdout) as Report;
      expect(report.files.flatMap((f) => f.notes)).toEqual([]); // PowerShell's parser ran
      const ps1 = report.files.filter((f) => f.file.endsWith('.ps1'));
      const templates = report.files.filter((f) => f.file.endsWith('.json'));
      expect(ps1.length).toBeGreaterThanOrEqual(7);
      expect(templates.length).toBe(6); // template.json and customize.json of each project
      expect(report.files.flatMap((f) => f.findings.map((x) => `${f.file}:${x.line} ${x.rule} ${x.message}`))).toEqual([]);
      expect(result.exitCode).toBe(0);
    },
  );
});
