import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { Node } from 'jsonc-parser';
import { describeFsError } from '../errors.js';
import { customizerTypeOf } from '../customizers/index.js';
import { findCustomizers, findImageTemplates, parseJsonDocument, pointerOf, readTemplateText, valueNode, type JsonDocument } from '../template/index.js';
import { isOverrideName, shellOf, type LintUnit } from './unit.js';
import type { Os } from '../util/os.js';

/** A script file as a unit: .sh is shell, .ps1 PowerShell; `--os` decides for a file named without either. */
export function fileUnit(path: string, shown: string, bytes: Buffer, os?: Os): LintUnit | undefined {
  const lower = path.toLowerCase();
  const language = lower.endsWith('.sh')
    ? 'shell'
    : lower.endsWith('.ps1')
      ? 'powershell'
      : os === 'linux'
        ? 'shell'
        : os === 'windows'
          ? 'powershell'
          : undefined;
  if (!language) return undefined;
  const text = bytes.toString('utf8');
  return { file: shown, language, shell: language === 'shell' ? shellOf(text) : 'other', bytes, path, kind: 'file', override: isOverrideName(path) };
}

/**
 * The inline commands of every Shell and PowerShell step of a template, each list one script of its
 * step's type (Shell lines run under /bin/sh -e), with findings placed on the command's line in the template.
 */
export function templateUnits(doc: JsonDocument): LintUnit[] {
  const units: LintUnit[] = [];
  for (const step of findCustomizers(doc)) {
    const type = customizerTypeOf(step.type);
    if (type !== 'Shell' && type !== 'PowerShell') continue;
    const inline = valueNode(step.node, 'inline');
    if (inline?.type !== 'array') continue;
    const commands = (inline.children ?? []).filter((c) => c.type === 'string').map((node) => ({ node, value: node.value as string }));
    if (commands.length === 0) continue;
    // An ARM expression ("[concat(...)]") becomes a command only at deployment: it is kept as a
    // blank line so the other lines keep their numbers, and not judged.
    const isExpression = (value: string) => /^\s*\[(?!\[)[\s\S]*\]\s*$/.test(value);
    const lines = commands.map((c) => (isExpression(c.value) ? '' : c.value));
    const starts: number[] = [];
    let line = 1;
    for (const command of lines) {
      starts.push(line);
      line += command.split('\n').length;
    }
    const label = `${step.list}[${step.index}]${step.name !== undefined ? ` "${step.name}"` : ''}`;
    const text = lines.join('\n');
    if (!text.trim()) continue;
    units.push({
      file: doc.file,
      language: type === 'Shell' ? 'shell' : 'powershell',
      shell: type === 'Shell' ? 'sh' : 'other',
      bytes: Buffer.from(text, 'utf8'),
      kind: 'inline',
      override: false,
      label,
      hasExpressions: lines.some((l, i) => l === '' && commands[i]?.value !== ''),
      locate: (at: number, column: number) => {
        let i = starts.length - 1;
        while (i > 0 && (starts[i] as number) > at) i--;
        const node = (commands[i] as { node: Node }).node;
        const position = doc.lines.position(node.offset);
        return { line: position.line, column: at === starts[i] ? position.column + column : position.column, pointer: pointerOf(node) };
      },
    });
  }
  return units;
}

export interface Collected {
  units: LintUnit[];
  /** Files that could not be read or parsed (reported, exit 2). */
  failures: { file: string; message: string }[];
  notes: { file: string; note: string }[];
  /** Every file looked at, for the summary. */
  files: string[];
  /** Files in folders passed over because .gitignore or .aibignore ignore them. */
  ignored: number;
  /** Bicep files (.bicep, .bicepparam), linted through the compiler; `explicit` when named on the command line. */
  bicep: { path: string; explicit: boolean }[];
}

const SKIP_DIRS = new Set(['.git', 'node_modules']);

/**
 * Script files (.sh, .ps1), folders (recursive, honouring .gitignore and .aibignore at every level)
 * and templates (.json holding image templates). In folders, other files are passed over silently.
 */
export async function collect(paths: readonly string[], os: Os | undefined): Promise<Collected> {
  const out: Collected = { units: [], failures: [], notes: [], files: [], ignored: 0, bicep: [] };
  const addFile = async (path: string, explicit: boolean): Promise<void> => {
    const lower = path.toLowerCase();
    if (lower.endsWith('.bicep') || lower.endsWith('.bicepparam')) {
      out.bicep.push({ path, explicit });
      return;
    }
    if (lower.endsWith('.json') || lower.endsWith('.jsonc')) {
      let doc: JsonDocument;
      try {
        doc = parseJsonDocument(path, await readTemplateText(path));
      } catch (error) {
        if (!explicit) return;
        out.failures.push({ file: path, message: error instanceof Error ? error.message : String(error) });
        return;
      }
      if (findImageTemplates(doc).length === 0 && findCustomizers(doc).length === 0) {
        if (explicit) out.notes.push({ file: path, note: 'holds no image template; nothing to lint' });
        return;
      }
      out.files.push(path);
      out.units.push(...templateUnits(doc));
      return;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      out.failures.push({ file: path, message: `cannot read ${path}: ${describeFsError(error)}` });
      return;
    }
    const unit = fileUnit(path, path, bytes, explicit ? os : undefined);
    if (!unit) {
      if (explicit)
        out.failures.push({
          file: path,
          message: `${path}: not a .sh, .ps1 or template file; pass --os linux|windows to lint it as a shell or PowerShell script`,
        });
      return;
    }
    out.files.push(path);
    out.units.push(unit);
  };
  const walk = async (dir: string, rules: { base: string; matcher: Ignore }[]): Promise<void> => {
    const here = [...rules];
    for (const name of ['.gitignore', '.aibignore']) {
      try {
        here.push({ base: dir, matcher: ignore().add(readFileSync(join(dir, name), 'utf8')) });
      } catch {
        // None here.
      }
    }
    const ignored = (path: string, isDir: boolean) => here.some((r) => r.matcher.ignores(relative(r.base, path) + (isDir ? '/' : '')));
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (SKIP_DIRS.has(entry.name)) continue;
        if (ignored(full, true)) out.ignored++;
        else await walk(full, here);
      } else if (entry.isFile() && /\.(sh|ps1|json|bicep|bicepparam)$/i.test(entry.name)) {
        if (ignored(full, false)) out.ignored++;
        else await addFile(full, false);
      }
    }
  };
  for (const path of paths) {
    let info;
    try {
      info = statSync(path);
    } catch (error) {
      out.failures.push({ file: path, message: `cannot read ${path}: ${describeFsError(error)}` });
      continue;
    }
    if (info.isDirectory()) await walk(path, []);
    else await addFile(path, true);
  }
  return out;
}
