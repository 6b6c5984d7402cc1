import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lintRulesOf } from './helpers.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/lint/index.js';
import { analyzeShell } from '../../src/lint/shell/commands.js';
import { tempDir } from '../helpers.js';

/**
 * lint's shell rules judge commands, not text: for each rule, scripts that run the command (it is
 * found) and scripts that only mention it, in a string, an echo, a comment, an assignment or a
 * heredoc written to a file (it is not).
 */

interface Case {
  rule: string;
  runs: string[];
  mentions: string[];
}

const sh = (body: string) => `#!/bin/bash\ncloud-init status --wait\n${body}\n`;

const cases: Case[] = [
  {
    rule: 'AIB205',
    runs: [
      'sudo reboot',
      'if [ -f /var/run/reboot-required ]; then reboot; fi',
      'sudo systemctl reboot',
      'sudo shutdown -r now',
      'sh -c "reboot"',
      "bash -c 'sleep 1; reboot'",
      'f() { sudo -u root /sbin/reboot; }\nf',
      'echo "$(reboot)"',
      'sudo env A=1 reboot',
      "eval 'reboot'",
      'timeout 10 reboot',
    ],
    mentions: [
      'echo "reboot later"',
      '# reboot here',
      'msg=\'apt-get install foo; reboot; waagent -deprovision\'; logger -t aib "$msg"',
      'cat > /etc/motd <<EOF\nreboot when asked\nEOF',
      'printf "%s\\n" reboot',
      'grep reboot /var/log/syslog || true',
      'sudo shutdown -c',
      'systemctl status reboot.target',
    ],
  },
  {
    rule: 'AIB207',
    runs: [
      'sudo waagent -force -deprovision+user',
      'if true; then /usr/sbin/waagent -deprovision; fi',
      'sudo sh -c "waagent -force -deprovision+user && sync"',
    ],
    mentions: [
      'echo "sudo waagent -force -deprovision+user && export HISTSIZE=0 && sync" | sudo tee /tmp/DeprovisioningScript.sh',
      "sudo tee /tmp/DeprovisioningScript.sh >/dev/null <<'OVERRIDE'\n#!/bin/bash\nsudo waagent -force -deprovision+user && export HISTSIZE=0 && sync\nOVERRIDE",
      '# waagent -deprovision comes at the end',
      "echo 'waagent -deprovision+user' >> /tmp/notes.txt",
    ],
  },
  {
    rule: 'AIB208',
    runs: [
      'sudo apt-get install nginx',
      'for p in a b; do apt-get install "$p"; done',
      'sudo DEBIAN_FRONTEND=noninteractive apt install nginx',
      'sudo yum install httpd',
      'xargs apt-get install < pkgs.txt',
    ],
    mentions: [
      'echo "Remember: run \'apt-get install nginx\' with -y"',
      '# apt-get install nginx',
      'cat > /tmp/readme <<EOF\napt-get install nginx\nEOF',
      'sudo apt-get install -y nginx',
      'sudo apt-get -qq install nginx',
      'yes | sudo apt-get install nginx',
      'sudo apt-get update',
      'zypper -n install nginx',
    ],
  },
  {
    rule: 'AIB209',
    runs: ['read -r answer', 'if read -r x; then echo "$x"; fi'],
    mentions: [
      'while read -r line; do echo "$line"; done < /etc/hosts',
      'ls | while read -r f; do echo "$f"; done',
      'read -r a <<< "x y"',
      'read -r -t 5 answer || true',
      'echo "read the docs"',
      'while IFS= read -r l; do echo "$l"; done < <(ls)',
    ],
  },
  {
    rule: 'AIB212',
    runs: ['sudo ufw enable', 'sudo systemctl stop sshd', 'echo "AllowUsers admin" | sudo tee -a /etc/ssh/sshd_config'],
    mentions: ['echo "do not run ufw enable"', 'sudo ufw allow 22/tcp', 'sudo systemctl restart sshd', '# AllowUsers admin'],
  },
];

describe('shell rules judge commands, not text', () => {
  let rulesOf = new Map<string, string[]>();
  beforeAll(async () => {
    const files = new Map<string, string>();
    for (const [c, item] of cases.entries()) {
      for (const [i, body] of item.runs.entries()) files.set(join(String(c), 'runs', `${i}.sh`), sh(body));
      for (const [i, body] of item.mentions.entries()) files.set(join(String(c), 'mentions', `${i}.sh`), sh(body));
    }
    rulesOf = await lintRulesOf(files);
  }, 120_000);
  for (const [c, item] of cases.entries()) {
    for (const [i, body] of item.runs.entries())
      it(`${item.rule} when run: ${JSON.stringify(body)}`, () => expect(rulesOf.get(join(String(c), 'runs', `${i}.sh`))).toContain(item.rule));
    for (const [i, body] of item.mentions.entries())
      it(`no ${item.rule} when only mentioned: ${JSON.stringify(body)}`, () =>
        expect(rulesOf.get(join(String(c), 'mentions', `${i}.sh`)) ?? []).not.toContain(item.rule));
  }
});

describe("today's true positives keep their lines and columns", () => {
  it('waagent as a command, reboot in an if, apt-get install in a loop, read from the terminal', async () => {
    const dir = await tempDir();
    const script = [
      '#!/bin/bash',
      'cloud-init status --wait',
      'sudo waagent -force -deprovision+user',
      'if true; then reboot; fi',
      'for p in a b; do apt-get install "$p"; done',
      'read -r answer',
    ].join('\n');
    await writeFile(join(dir, 'a.sh'), `${script}\n`);
    const { results } = await lintPaths([join(dir, 'a.sh')]);
    const at = (rule: string) => results[0]!.findings.filter((f) => f.rule === rule).map((f) => [f.line, f.column]);
    expect(at('AIB207')).toEqual([[3, 1]]);
    expect(at('AIB205')).toEqual([[4, 15]]);
    expect(at('AIB208')).toEqual([[5, 18]]);
    expect(at('AIB209')).toEqual([[6, 1]]);
  });
});

describe('the deprovisioning override written by a step', () => {
  it('the three ways the AIB docs write it pass, and each is checked as the override, said in a note', async () => {
    const dir = await tempDir();
    const bodies = [
      'echo "sudo waagent -force -deprovision+user && export HISTSIZE=0 && sync" | sudo tee /tmp/DeprovisioningScript.sh',
      "sudo tee /tmp/DeprovisioningScript.sh >/dev/null <<'OVERRIDE'\n#!/bin/bash\nsudo waagent -force -deprovision+user && export HISTSIZE=0 && sync\nOVERRIDE",
      "echo '#!/bin/bash' > /tmp/DeprovisioningScript.sh\necho 'sudo waagent -force -deprovision+user && export HISTSIZE=0 && sync' >> /tmp/DeprovisioningScript.sh",
    ];
    for (const [i, body] of bodies.entries()) await writeFile(join(dir, `${i}.sh`), sh(body));
    const { results } = await lintPaths([dir]);
    // The note names the line where the written text begins: the echo's, or the heredoc's first line.
    const lines = [3, 4, 3];
    for (const result of results) {
      expect(
        result.findings.filter((f) => f.severity === 'error'),
        result.file,
      ).toEqual([]);
      expect(
        result.findings.map((f) => f.rule),
        result.file,
      ).not.toContain('AIB217');
      const line = lines[Number(/(\d)\.sh$/.exec(result.file)![1])];
      expect(result.notes.join('\n'), result.file).toContain(
        `line ${line}: the text written to /tmp/DeprovisioningScript.sh is checked as the deprovisioning override`,
      );
    }
  });

  it("an override written by a heredoc gets the override's findings, on the heredoc's own lines", async () => {
    const dir = await tempDir();
    const body = "sudo tee /tmp/DeprovisioningScript.sh >/dev/null <<'OVERRIDE'\n#!/bin/bash\nsudo apt-get install cleanup-tool\necho done\nOVERRIDE";
    await writeFile(join(dir, 'a.sh'), sh(body));
    const { results } = await lintPaths([join(dir, 'a.sh')]);
    const findings = results[0]!.findings;
    expect(findings.find((f) => f.rule === 'AIB208')).toMatchObject({ line: 5, column: 6 });
    expect(findings.find((f) => f.rule === 'AIB208')!.message).toContain('the override written to /tmp/DeprovisioningScript.sh');
    // It never generalizes: the image would not be.
    expect(findings.find((f) => f.rule === 'AIB217')).toMatchObject({ line: 4 });
  });

  it('the inline step of a template that writes the override is checked as one, located in the template', async () => {
    const dir = await tempDir();
    const template = {
      properties: {
        source: { type: 'PlatformImage', publisher: 'Canonical', offer: 'x', sku: 'y', version: 'latest' },
        customize: [
          {
            type: 'Shell',
            name: 'override',
            inline: ['echo "sudo waagent -force -deprovision+user && export HISTSIZE=0 && sync" | sudo tee /tmp/DeprovisioningScript.sh'],
          },
        ],
        distribute: [],
      },
    };
    await writeFile(join(dir, 't.json'), JSON.stringify(template, null, 2));
    const { results } = await lintPaths([join(dir, 't.json')]);
    expect(results[0]!.findings.filter((f) => f.rule.startsWith('AIB'))).toEqual([]);
    // The inline command's line in the template.
    expect(results[0]!.notes.join('\n')).toMatch(/line 15: the text written to \/tmp\/DeprovisioningScript\.sh/);
  });
});

describe('commands built at run time', () => {
  it('literal text is parsed and checked; other text is noted as not checked', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.sh'), sh('cmd="reboot"\neval "$cmd"\nbash -c "$cmd"\nsh -c \'reboot\''));
    const { results } = await lintPaths([join(dir, 'a.sh')]);
    expect(results[0]!.findings.filter((f) => f.rule === 'AIB205').map((f) => f.line)).toEqual([6]);
    expect(results[0]!.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^line 4: eval runs text built at run time/),
        expect.stringMatching(/^line 5: bash -c runs text built at run time/),
      ]),
    );
  });
});

describe('the command reader', () => {
  it('takes wrappers off and finds commands in every kind of compound command', async () => {
    const script = [
      'FOO=1 sudo -u root -E env -i A=b command nice -n 5 timeout 10 xargs -n 1 apt-get install x',
      '( cd /tmp && exec nohup stdbuf -o0 ls ) | grep x',
      'case "$1" in a) systemctl reboot ;; esac',
      'until false; do break; done; { echo a; } && ! true || $SUDO dnf update',
      'x=$(uname -r)',
      'y=`id -u`',
      'cat <<EOF\n$(hostname)\nEOF',
    ].join('\n');
    const { commands } = await analyzeShell(script);
    const programs = commands.map((c) => c.program);
    expect(programs).toEqual(['apt-get', 'cd', 'ls', 'grep', 'systemctl', 'false', 'break', 'echo', 'true', 'dnf', 'uname', 'id', 'cat', 'hostname']);
    expect(commands[0]!.wrappers).toEqual(['sudo', 'env', 'command', 'nice', 'timeout', 'xargs']);
    expect(commands[0]!.args.map((a) => a.value)).toEqual(['install', 'x']);
    expect(commands.find((c) => c.program === 'dnf')!.wrappers).toEqual(['sudo']);
    expect(commands.find((c) => c.program === 'grep')!.stdin).toBe('pipe');
  });

  it("a line of assignments before a command (which tree-sitter folds into it) does not move the command's place", async () => {
    const { commands } = await analyzeShell('a=1 b=2\nsudo reboot\n');
    expect(commands[0]).toMatchObject({ program: 'reboot', start: 8 });
  });

  it('a script nested thousands deep does not overflow the stack', async () => {
    const { commands } = await analyzeShell(`echo ${'$('.repeat(5000)}reboot${')'.repeat(5000)}`);
    expect(commands.some((c) => c.program === 'reboot')).toBe(true);
  });
});
