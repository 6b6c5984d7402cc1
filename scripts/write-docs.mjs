// Writes what is generated from code: docs/rules.md from the rule catalogs, and the project file's
// TypeScript types from its JSON Schema (run after npm run build). Usage: npm run docs
import { readFileSync, writeFileSync } from 'node:fs';
import { URL } from 'node:url';

const { rulesMarkdown } = await import(new URL('../dist/docs/rules-doc.js', import.meta.url).href);
writeFileSync(new URL('../docs/rules.md', import.meta.url), rulesMarkdown());

const { projectTypesSource } = await import(new URL('../dist/docs/project-types.js', import.meta.url).href);
const { format, resolveConfig } = await import('prettier');
const schema = JSON.parse(readFileSync(new URL('../schema/aibgen.schema.json', import.meta.url), 'utf8'));
const typesFile = new URL('../src/project/project-file.types.ts', import.meta.url);
const options = { ...(await resolveConfig(typesFile)), filepath: typesFile.pathname };
writeFileSync(typesFile, await format(projectTypesSource(schema), options));
