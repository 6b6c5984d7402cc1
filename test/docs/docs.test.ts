import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { format, resolveConfig } from 'prettier';
import { projectTypesSource } from '../../src/docs/project-types.js';
import { rulesMarkdown } from '../../src/docs/rules-doc.js';
import { LINT_RULE_LIST } from '../../src/lint/index.js';
import { VALIDATE_RULE_LIST } from '../../src/validate/rules.js';
import { ROOT, aibgen } from '../helpers.js';

const read = (file: string) => readFile(join(ROOT, file), 'utf8');

describe('docs that restate code are generated or checked against it', () => {
  it('docs/rules.md is what the rule catalogs generate (npm run docs writes it again)', async () => {
    expect(await read('docs/rules.md')).toBe(rulesMarkdown());
  });

  it("the project file's TypeScript types are what its JSON Schema generates (npm run docs writes them again)", async () => {
    const file = join(ROOT, 'src/project/project-file.types.ts');
    const schema = JSON.parse(await read('schema/aibgen.schema.json')) as Parameters<typeof projectTypesSource>[0];
    const generated = await format(projectTypesSource(schema), { ...(await resolveConfig(file)), filepath: file });
    expect(await read('src/project/project-file.types.ts')).toBe(generated);
  });

  it('the type generator refuses schema it cannot express, rather than writing a looser type', () => {
    const base = { type: 'object', additionalProperties: false, required: ['a'], properties: { a: { type: 'string' } } };
    expect(projectTypesSource(base)).toContain('a: string;');
    expect(() => projectTypesSource({ ...base, properties: { a: { type: 'string', format: 'uri' } as never } })).toThrow(/"format"/);
    expect(() => projectTypesSource({ ...base, additionalProperties: true })).toThrow(/allows other properties/);
    expect(() => projectTypesSource({ ...base, properties: { a: { $ref: 'other.json#/x' } } })).toThrow(/\$ref/);
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

  it('every relative link in README.md, CHANGELOG.md and docs/ names a file or folder that exists, and every #anchor a heading in it', async () => {
    const files = ['README.md', 'CHANGELOG.md', ...(await readdir(join(ROOT, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    // GitHub's heading anchors: lower case, punctuation other than - and _ dropped, spaces to -.
    const anchorsOf = (text: string) =>
      new Set(
        [...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
          (m[1] as string)
            .trim()
            .toLowerCase()
            .replace(/[^\p{L}\p{N} _-]/gu, '')
            .replace(/ /g, '-'),
        ),
      );
    const broken: string[] = [];
    for (const file of files) {
      const text = await read(file);
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target as string)) continue;
        const [path, anchor] = (target as string).split('#') as [string, string | undefined];
        const resolved = path === '' ? file : join(dirname(file), path);
        if (!(await stat(join(ROOT, resolved)).catch(() => undefined))) broken.push(`${file}: ${target} (no such file or folder)`);
        else if (anchor && resolved.endsWith('.md') && !anchorsOf(await read(resolved)).has(anchor)) broken.push(`${file}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
