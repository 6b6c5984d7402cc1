import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lintRulesOf } from './helpers.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { LINT_RULE_LIST } from '../../src/lint/index.js';
import { aibgen, hasTool, itWith, tempDir } from '../helpers.js';

interface Report {
  files: { file: string; findings: { rule: string; line: number; column: number; severity: string; message: string }[]; notes: string[] }[];
}

async function lint(
  dir: string,
  name: string,
  content: string | Buffer,
  args: string[] = [],
): Promise<{ rules: string[]; report: Report; exitCode: number; stdout: string }> {
  const path = join(dir, name);
  await writeFile(path, content);
  const result = await aibgen(['lint', path, '--format', 'json', ...args]);
  const report = JSON.parse(result.stdout) as Report;
  return { rules: report.files.flatMap((f) => f.findings.map((x) => x.rule)), report, exitCode: result.exitCode, stdout: result.stdout };
}

const template = (type: 'Shell' | 'PowerShell', inline: string[]) =>
  JSON.stringify(
    {
      properties: {
        source: { type: 'PlatformImage', publisher: type === 'Shell' ? 'Canonical' : 'MicrosoftWindowsServer', offer: 'x', sku: 'y', version: 'latest' },
        customize: [{ type, name: 'step', inline }],
        distribute: [],
      },
    },
    null,
    2,
  );

interface Pair {
  rule: string;
  file: string;
  breaks: string | Buffer;
  keeps: string | Buffer;
  pwsh?: boolean;
}

/** For each AIB lint rule: a script that breaks it and one that keeps it. `pwsh` marks rules that need PowerShell's parser. */
const pairs: Pair[] = [
  { rule: 'AIB201', file: 'a.sh', breaks: '#!/bin/sh\r\necho hi\r\n', keeps: '#!/bin/sh\necho hi\n' },
  { rule: 'AIB202', file: 'a.sh', breaks: '\uFEFF#!/bin/sh\necho hi\n', keeps: '#!/bin/sh\necho hi\n' },
  { rule: 'AIB203', file: 'a.sh', breaks: 'echo hi\n', keeps: '#!/bin/sh\necho hi\n' },
  { rule: 'AIB204', file: 'a.ps1', breaks: 'Write-Output "Grüße"\r\n', keeps: '\uFEFFWrite-Output "Grüße"\r\n' },
  { rule: 'AIB205', file: 'a.sh', breaks: '#!/bin/sh\nsudo reboot\n', keeps: '#!/bin/sh\necho "reboot later" # no reboot here\n' },
  { rule: 'AIB206', file: 'a.ps1', breaks: 'Restart-Computer -Force\r\n', keeps: "Write-Output 'Restart-Computer is not called here'\r\n", pwsh: true },
  { rule: 'AIB207', file: 'a.sh', breaks: '#!/bin/sh\nsudo waagent -force -deprovision+user\n', keeps: '#!/bin/sh\necho done\n' },
  {
    rule: 'AIB207',
    file: 'a.ps1',
    breaks: '& $env:SystemRoot\\System32\\Sysprep\\Sysprep.exe /oobe /generalize /quiet /quit\r\n',
    keeps: 'Get-Item C:\\Windows\r\n',
    pwsh: true,
  },
  {
    rule: 'AIB208',
    file: 'a.sh',
    breaks: '#!/bin/sh\ncloud-init status --wait\nsudo apt-get install nginx\n',
    keeps: '#!/bin/sh\ncloud-init status --wait\nsudo apt-get install -y nginx\n',
  },
  {
    rule: 'AIB209',
    file: 'a.sh',
    breaks: '#!/bin/bash\nread -r answer\necho "$answer"\n',
    keeps: '#!/bin/bash\nwhile read -r line; do echo "$line"; done < /etc/hosts\n',
  },
  { rule: 'AIB209', file: 'a.ps1', breaks: "$name = Read-Host 'name'\r\n", keeps: "$name = 'fixed'\r\n", pwsh: true },
  {
    rule: 'AIB210',
    file: 'a.sh',
    breaks: '#!/bin/sh\nsudo apt-get install -y nginx\n',
    keeps: '#!/bin/sh\ncloud-init status --wait\nsudo apt-get -o DPkg::Lock::Timeout=600 install -y nginx\n',
  },
  { rule: 'AIB211', file: 'a.ps1', breaks: '$a = $null ?? 1\r\n', keeps: 'if ($null -eq $b) { $a = 1 }\r\n', pwsh: true },
  {
    rule: 'AIB211',
    file: 'a.ps1',
    breaks: 'git status && Write-Output ok\r\n',
    keeps: 'git status; if ($LASTEXITCODE -eq 0) { Write-Output ok }\r\n',
    pwsh: true,
  },
  { rule: 'AIB212', file: 'a.sh', breaks: '#!/bin/sh\nsudo ufw enable\n', keeps: '#!/bin/sh\nsudo ufw allow 22/tcp\n' },
  { rule: 'AIB212', file: 'a.ps1', breaks: 'Set-NetFirewallProfile -Profile Domain -Enabled True\r\n', keeps: 'Get-NetFirewallProfile\r\n', pwsh: true },
  {
    rule: 'AIB213',
    file: 'a.sh',
    breaks: '#!/bin/sh\ncurl -o x "https://a.blob.core.windows.net/c/x?sv=2022-11-02&sp=r&sig=c2VjcmV0c2lnbmF0dXJl"\n',
    keeps: '#!/bin/sh\ncurl -o x "https://a.blob.core.windows.net/c/x"\n',
  },
  {
    rule: 'AIB213',
    file: 'a.ps1',
    breaks: "New-LocalUser -Name x -Password (ConvertTo-SecureString 'Hunter22!' -AsPlainText -Force)\r\n",
    keeps: 'New-LocalUser -Name x -Password $securePassword\r\n',
  },
  { rule: 'AIB214', file: 'a.sh', breaks: '#!/bin/bash\nif true; then\necho x\n', keeps: '#!/bin/bash\nif true; then\n  echo x\nfi\n' },
  { rule: 'AIB215', file: 'a.ps1', breaks: 'if ($x { }\r\n', keeps: 'if ($x) { }\r\n', pwsh: true },
  // Over the default size limit: not checked, which is an error of its own.
  { rule: 'AIB216', file: 'a.sh', breaks: `#!/bin/sh\n${'# padding\n'.repeat(60_000)}`, keeps: '#!/bin/sh\necho small\n' },
  {
    rule: 'AIB217',
    file: 'DeprovisioningScript.sh',
    breaks: '#!/bin/bash\necho "nothing generalizes here"\n',
    keeps: '#!/bin/bash\nsudo waagent -force -deprovision+user && export HISTSIZE=0 && sync\n',
  },
  {
    rule: 'AIB217',
    file: 'DeprovisioningScript.ps1',
    breaks: "Write-Output 'nothing generalizes here'\r\n",
    keeps: '& $env:SystemRoot\\System32\\Sysprep\\Sysprep.exe /oobe /generalize /quiet /quit\r\n',
    pwsh: true,
  },
];

describe('aibgen lint: a break/keep pair for every AIB rule', () => {
  it('covers every rule', () => {
    expect([...new Set(pairs.map((p) => p.rule))].sort()).toEqual(LINT_RULE_LIST.map((r) => r.id).sort());
  });
  // Every pair in one lint run (one pwsh, one ShellCheck), in-process: each file's rules are then looked up.
  let rulesOf = new Map<string, string[]>();
  beforeAll(async () => {
    const files = new Map<string, string | Buffer>();
    for (const [i, pair] of pairs.entries()) {
      files.set(join('breaks', String(i), pair.file), pair.breaks);
      files.set(join('keeps', String(i), pair.file), pair.keeps);
    }
    rulesOf = await lintRulesOf(files);
  }, 120_000);
  for (const [i, pair] of pairs.entries()) {
    const test = pair.pwsh ? itWith('pwsh') : it;
    test(`${pair.rule} (${pair.file})`, () => {
      expect(rulesOf.get(join('breaks', String(i), pair.file))).toContain(pair.rule);
      expect(rulesOf.get(join('keeps', String(i), pair.file)) ?? []).not.toContain(pair.rule);
    });
  }
});

describe('findings are placed on the right line', () => {
  itWith('shellcheck')('ShellCheck and shell syntax findings map to the script line, inline ones to the template line of the command', async () => {
    const dir = await tempDir();
    const script = await lint(dir, 's.sh', '#!/bin/bash\necho ok\nrm -rf $TARGET/\n');
    expect(script.report.files[0]!.findings.find((f) => f.rule === 'SC2086')).toMatchObject({ line: 3, column: 8, severity: 'info' });
    const broken = await lint(dir, 'b.sh', '#!/bin/bash\necho ok\nfor x in\n');
    expect(broken.report.files[0]!.findings.find((f) => f.rule === 'AIB214')).toMatchObject({ line: 4, severity: 'error' });
    const inline = await lint(dir, 't.json', template('Shell', ['echo one', 'cp $SRC /tmp/', 'sudo apt-get install nginx']));
    const byRule = new Map(inline.report.files[0]!.findings.map((f) => [f.rule, f]));
    // The commands are on lines 15, 16 and 17 of the template, each string opening in column 11.
    expect(byRule.get('SC2086')).toMatchObject({ line: 16, column: 15 });
    expect(byRule.get('AIB208')).toMatchObject({ line: 17, column: 17 });
    expect(byRule.get('AIB208')!.message).toContain('customize[0] "step": apt-get install without -y');
  });

  itWith('pwsh')("PowerShell parse errors map to the script's line and column", async () => {
    const dir = await tempDir();
    const result = await lint(dir, 'p.ps1', 'Write-Output 1\r\nif ($x { }\r\nWrite-Output 2\r\n');
    expect(result.report.files[0]!.findings.find((f) => f.rule === 'AIB215')).toMatchObject({ line: 2, column: 8 });
    const inline = await lint(dir, 't.json', template('PowerShell', ['Write-Output 1', '$a = $b ? 1 : 2']));
    expect(inline.report.files[0]!.findings.find((f) => f.rule === 'AIB211')).toMatchObject({ line: 16, column: 17 });
  });

  it('secrets are found but never printed', async () => {
    const dir = await tempDir();
    const result = await lint(dir, 's.sh', '#!/bin/sh\nexport CONN="DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0a2V5c2VjcmV0a2V5;"\n');
    expect(result.rules).toContain('AIB213');
    expect(result.stdout).not.toContain('c2VjcmV0a2V5c2VjcmV0a2V5');
  });
});

describe('engines that are missing are said, never silently passed', () => {
  it('without ShellCheck or pwsh on PATH, a note says what was not checked and how to install it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.sh'), '#!/bin/sh\necho $1\n');
    await writeFile(join(dir, 'b.ps1'), 'Write-Output 1\r\n');
    const result = await aibgen(['lint', dir], { env: { PATH: '/usr/bin:/bin', HOME: dir, AIBGEN_PWSH: '' }, extendEnv: false });
    if (hasTool('shellcheck') && !result.stdout.includes('ShellCheck is not installed')) {
      // shellcheck lives in /usr/bin here; the PowerShell note must still be there.
      expect(result.stdout).toContain('PowerShell (pwsh) is not installed, so 1 PowerShell script(s) were not parsed');
    } else {
      expect(result.stdout).toContain('ShellCheck is not installed, so 1 shell script(s) were checked for syntax and AIB rules only');
    }
    expect(result.stdout).toContain('note');
  });
});
