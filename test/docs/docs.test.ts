import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rulesMarkdown } from '../../src/docs/rules-doc.js';
import { LINT_RULE_LIST } from '../../src/lint/index.js';
import { VALIDATE_RULE_LIST } from '../../src/validate/rules.js';
import { ROOT, aibgen } from '../helpers.js';

const read = (file: string) => readFile(join(ROOT, file), 'utf8');

describe('docs that restate code are generated or checked against it', () => {
  it('docs/rules.md is what the rule catalogs generate (npm run docs writes it again)', async () => {
    expect(await read('docs/rules.md')).toBe(rulesMarkdown());
  });

  it('every rule has its why and its fix, and codes are unique', () => {
    const all = [...VALIDATE_RULE_LIST, ...LINT_RULE_LIST];
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    for (const rule of all) {
      expect(rule.why.length, rule.id).toBeGreaterThan(10);
      expect(rule.fix.length, rule.id).toBeGreaterThan(3);
    }
  });

  it("each command's synopsis in docs/commands.md names only options its --help has, and every command is documented", async () => {
    const commands = await read('docs/commands.md');
    const readme = await read('README.md');
    const help = await aibgen(['--help']);
    const names = [...help.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1] as string).filter((n) => n !== 'help');
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      const heading = new RegExp(`^## \`aibgen ${name}\\b([^\`]*)\``, 'm').exec(commands);
      expect(heading, `docs/commands.md has no section for ${name}`).not.toBeNull();
      expect(readme, `README's command table lacks ${name}`).toContain(`| \`aibgen ${name}`);
      const options = [...(heading?.[1] ?? '').matchAll(/(?<![\w-])--?[a-z][\w-]*/g)].map((m) => m[0]);
      const commandHelp = (await aibgen([name, '--help'])).stdout;
      for (const option of options) expect(commandHelp, `${name} ${option}`).toMatch(new RegExp(`(^|[\\s,])${option}(?![\\w-])`, 'm'));
    }
  });
});
