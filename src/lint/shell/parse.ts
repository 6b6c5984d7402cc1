import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import type { Node as SyntaxNode, Parser as TreeSitterParser } from 'web-tree-sitter';
import { vendorDir } from '../../util/package-paths.js';

export type { SyntaxNode };

/**
 * Bash's syntax tree, from tree-sitter's bash grammar compiled to WebAssembly. Both the grammar and
 * tree-sitter's runtime (web-tree-sitter) are vendored, with their licences, and pinned by a test:
 * the runtime's npm package is 4.6 MB (a debug build and source maps) for the 360 KB used. Its
 * types come from the same version as a development dependency. Loaded once per process, and only
 * when a shell script is linted: `aibgen checksum` never pays for it.
 */
let parser: Promise<TreeSitterParser> | undefined;

/** WebAssembly's compile, which the ES2023 library types leave out. */
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<unknown> } }).WebAssembly;

async function load(): Promise<TreeSitterParser> {
  const runtime = pathToFileURL(vendorDir('web-tree-sitter', 'web-tree-sitter.js')).href;
  const { Parser, Language } = (await import(runtime)) as typeof import('web-tree-sitter');
  // Measured on Node 20 (2 cores): with V8's default tiering, the optimizing compiler then spends
  // about a second on the grammar's 1.3 MB lexer, blocking the event loop and the process's exit for
  // it; Liftoff code alone parses a 28 KB script in 8 ms. The tier is fixed when a module is
  // compiled, so the flag is set for these two modules only and restored at once (libdeflate's
  // module, compiled later in workers, keeps the default).
  setFlagsFromString('--liftoff-only');
  try {
    await Parser.init();
    const module = await wasm.compile(await readFile(vendorDir('tree-sitter-bash', 'tree-sitter-bash.wasm')));
    const instance = new Parser();
    instance.setLanguage(Language.loadSync(module as Parameters<typeof Language.loadSync>[0]));
    return instance;
  } finally {
    setFlagsFromString('--no-liftoff-only');
  }
}

/**
 * Calls `use` with the root of `text`'s syntax tree, then frees the tree (it lives in WebAssembly
 * memory, which no garbage collector sees). Offsets (`startIndex`) count UTF-16 code units, as
 * JavaScript strings do.
 */
export async function withShellTree<T>(text: string, use: (root: SyntaxNode) => Promise<T>): Promise<T> {
  parser ??= load();
  const tree = (await parser).parse(text);
  if (!tree) throw new Error('the shell parser returned no tree');
  try {
    return await use(tree.rootNode);
  } finally {
    tree.delete();
  }
}
