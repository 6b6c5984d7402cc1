import { describe, expect } from 'vitest';
import { fileUnit, lintUnits } from '../../src/lint/index.js';
import { textRules } from '../../src/lint/text-rules.js';
import { itWith } from '../helpers.js';

/**
 * Without pwsh, AIB206, AIB207, AIB209 and AIB212 fall back to command names on the text. The
 * fallback must agree with the syntax-tree rules (pwsh's AST walk) on real commands, and where it
 * cannot (text inside strings), it must err on the side of reporting, never of silence.
 */
const FALLBACK_RULES = new Set(['AIB206', 'AIB207', 'AIB209', 'AIB212']);

const agree: [string, string[]][] = [
  ['Restart-Computer -Force', ['AIB206']],
  ['if ($true) { shutdown /r /t 0 }', ['AIB206']],
  ['$name = Read-Host "name"', ['AIB209']],
  ['$cred = Get-Credential', ['AIB209']],
  ['& "$env:WINDIR\\System32\\Sysprep\\sysprep.exe" /oobe /generalize /quiet', ['AIB207']],
  ['Set-NetFirewallProfile -Profile Domain -Enabled False', ['AIB212']],
  ['Disable-PSRemoting -Force', ['AIB212']],
  ['Stop-Service -Name WinRM', ['AIB212']],
  ['Write-Host "installing"; Start-Sleep 5', []],
  ['# Restart-Computer is for the WindowsRestart step', []],
  ['Get-Service RdAgent | Restart-Service', []],
];

/** The fallback reads text: inside a string it still sees a command. It reports more, never less. */
const fallbackOnly: [string, string[]][] = [['Write-Output "step 1; Restart-Computer later"; Write-Output "(Read-Host)"', ['AIB206', 'AIB209']]];

function unitOf(script: string) {
  const unit = fileUnit('case.ps1', 'case.ps1', Buffer.from(`${script}\r\n`));
  if (!unit) throw new Error('not a PowerShell unit');
  return { ...unit, path: undefined }; // in memory: the engines get scratch copies
}

const rulesOf = (findings: readonly { rule: string }[]) => [...new Set(findings.map((f) => f.rule).filter((r) => FALLBACK_RULES.has(r)))].sort();

describe("PowerShell rules: the text fallback against pwsh's syntax tree", () => {
  itWith('pwsh')('agree on real commands; where only the fallback fires, it is text in a string (over-reporting, never silence)', async () => {
    const all = [...agree, ...fallbackOnly];
    const units = all.map(([script]) => unitOf(script));
    // One lint run with pwsh for every case: the AST walk's findings, per unit.
    const report = await lintUnits(units.map((u, i) => ({ ...u, file: `case-${i}.ps1` })));
    all.forEach(([script, expected], i) => {
      const ast = rulesOf(report.findings.filter((f) => f.file === `case-${i}.ps1`));
      const fallback = rulesOf(textRules(unitOf(script), false));
      expect(fallback, `fallback: ${script}`).toEqual(expected);
      if (i < agree.length) expect(ast, `AST: ${script}`).toEqual(expected);
      else {
        expect(ast, `AST: ${script}`).toEqual([]);
        expect(fallback.length).toBeGreaterThan(ast.length);
      }
    });
  });
});
