import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, aibgen, tempDir } from '../helpers.js';

const fixture = join(ROOT, 'test/fixtures/validate/crlf.jsonc');

describe('aibgen validate', () => {
  it('points at the right line and column in a JSONC file with CRLF line endings; exit 1 on errors', async () => {
    const result = await aibgen(['validate', fixture], { cwd: ROOT });
    expect(result.exitCode).toBe(1);
    const lines = result.stdout.split('\n').filter((l) => l.includes('  error  ') || l.includes('  warning  '));
    expect(lines.map((l) => l.replace(fixture, 'crlf.jsonc').split('  ').slice(0, 3).join('  '))).toEqual([
      'crlf.jsonc:11:7  error  AIB105 script-source',
      'crlf.jsonc:13:17  warning  AIB104 duplicate-customizer-name',
      'crlf.jsonc:14:9  error  AIB102 unknown-property',
      'crlf.jsonc:16:17  error  AIB120 os-compatibility',
    ]);
    expect(result.stdout).toContain('4 problem(s) (3 error(s), 1 warning(s)) in 1 file(s)');
  });

  it('--format json gives every finding with rule, name, severity, message, file, line, column and pointer', async () => {
    const result = await aibgen(['validate', '--format', 'json', fixture], { cwd: ROOT });
    const report = JSON.parse(result.stdout) as { files: { file: string; findings: Record<string, unknown>[] }[]; errors: number; warnings: number };
    expect(report.errors).toBe(3);
    expect(report.warnings).toBe(1);
    expect(report.files[0]?.findings[2]).toEqual({
      rule: 'AIB102',
      ruleName: 'unknown-property',
      severity: 'error',
      message: 'customize[1] "a": unknown property "scriptURI"; did you mean "scriptUri"? (names are case-sensitive)',
      file: fixture,
      line: 14,
      column: 9,
      pointer: '/properties/customize/1/scriptURI',
    });
  });

  it('--format sarif writes SARIF 2.1.0 with rules and regions', async () => {
    const result = await aibgen(['validate', '--format', 'sarif', fixture], { cwd: ROOT });
    const sarif = JSON.parse(result.stdout) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: { physicalLocation: { region: { startLine: number; startColumn: number } } }[];
        }[];
      }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run?.results).toHaveLength(4);
    const first = run?.results[0];
    expect(first).toMatchObject({ ruleId: 'AIB105', level: 'error', locations: [{ physicalLocation: { region: { startLine: 11, startColumn: 7 } } }] });
    expect(run?.tool.driver.rules[first?.ruleIndex ?? -1]?.id).toBe('AIB105');
  });

  it('exit 0 with warnings only, 1 past --max-warnings, 2 for a file that does not parse (the others still checked)', async () => {
    const dir = await tempDir();
    const warnOnly = {
      apiVersion: '2024-02-01',
      location: 'westeurope',
      identity: {
        type: 'UserAssigned',
        userAssignedIdentities: { '/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i': {} },
      },
      properties: {
        source: { type: 'PlatformImage', publisher: 'Canonical', offer: 'o', sku: 's', version: 'latest' },
        customize: [{ type: 'Shell', name: 'x', scriptUri: 'https://example.test/x.sh' }],
        distribute: [{ type: 'VHD', runOutputName: 'vhd' }],
      },
    };
    await writeFile(join(dir, 'warn.json'), JSON.stringify(warnOnly));
    await writeFile(join(dir, 'broken.json'), '{ "properties": { "source": <image> } }');
    const ok = await aibgen(['validate', 'warn.json'], { cwd: dir });
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain('warning  AIB108 missing-checksum');
    expect((await aibgen(['validate', 'warn.json', '--max-warnings', '0'], { cwd: dir })).exitCode).toBe(1);
    expect((await aibgen(['validate', 'warn.json', '--max-warnings', '1'], { cwd: dir })).exitCode).toBe(0);
    const broken = await aibgen(['validate', 'broken.json', 'warn.json'], { cwd: dir });
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toContain('broken.json:1:29: unexpected character at "<image> } }"');
    expect(broken.stdout).toContain('warn.json');
  });
});
