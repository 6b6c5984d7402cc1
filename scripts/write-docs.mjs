// Writes docs/rules.md from the rule catalogs (run after npm run build). Usage: npm run docs
import { writeFileSync } from 'node:fs';
import { URL } from 'node:url';

const { rulesMarkdown } = await import(new URL('../dist/docs/rules-doc.js', import.meta.url).href);
writeFileSync(new URL('../docs/rules.md', import.meta.url), rulesMarkdown());
