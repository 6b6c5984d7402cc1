import { LINT_RULE_LIST } from '../lint/index.js';
import type { RuleDefinition } from '../rules/index.js';
import { VALIDATE_RULE_LIST } from '../validate/rules.js';

/**
 * docs/rules.md, generated from the rule catalogs (the one definition of each rule); a test fails
 * when the committed file differs, and `npm run docs` writes it again.
 */

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(rules: readonly RuleDefinition[]): string {
  const rows = rules.map((r) => {
    const variants = r.variants
      ? Object.values(r.variants)
          .map((v) => `; ${v}`)
          .join('')
      : '';
    return `| ${r.id} | ${r.name} | ${r.severity}${variants} | ${cell(r.description)} | ${cell(r.why)} | ${cell(r.fix)} | ${cell(r.engine)} |`;
  });
  return ['| code | name | severity | finds | why it matters | fix | checked by |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

export function rulesMarkdown(): string {
  return `# aibgen rules

<!-- Generated from src/validate/rules.ts and src/lint/rules.ts by \`npm run docs\`; do not edit by hand. -->

Every finding carries one of these codes. \`aibgen validate\` applies the AIB1xx rules to templates
(JSON, or Bicep through the compiler); \`aibgen lint\` applies the AIB2xx rules to scripts and inline
commands, beside the findings of the engines themselves (ShellCheck's SCxxxx, the Bicep compiler's
BCPxxx). A finding of a not-checked rule (AIB190, AIB216) makes the run exit 2: what could not be
checked is never reported as fine.

## validate (AIB1xx)

${table(VALIDATE_RULE_LIST)}

## lint (AIB2xx)

${table(LINT_RULE_LIST)}
`;
}
