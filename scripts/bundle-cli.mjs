// Bundles the command line (run after tsc): dist/cli.js becomes the entry and aibgen's own modules go
// into a few chunks in dist/cli-chunks/, one per lazily loaded command path, instead of the ~110
// modules tsc writes. A Node ES module costs a resolve, a read and a link each, so the CLI starts
// faster (an unchanged build: see docs/performance.md). Dependencies stay external: Node loads
// them from node_modules as before. The library (dist/index.js and its .d.ts) stays tsc's output.
// The chunks sit two levels below the package root, as tsc's dist/<concern>/*.js do, so every path
// a module finds relative to itself (templates/, schema/, dist/schemas/) is the same in both.
// Usage: node scripts/bundle-cli.mjs
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(new URL('../dist/cli-chunks', import.meta.url), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: {
    cli: 'src/cli.ts',
    // The gzip worker thread is started by file name: it is an entry of its own, beside the chunks.
    'cli-chunks/compress-worker': 'src/bundle/compress-worker.ts',
  },
  outdir: 'dist',
  chunkNames: 'cli-chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Source maps let coverage of the spawned CLI be mapped back to src/ (they are not packed).
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
});
