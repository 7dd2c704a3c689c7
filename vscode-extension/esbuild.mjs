// Bundles the extension into dist/extension.js, and the graph view's page script
// (with the WebAssembly Graphviz of @viz-js/viz) into dist/graphView.js.
// `--production` minifies and leaves out the source map (what the .vsix ships);
// `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

rmSync('dist', { recursive: true, force: true });

/** @type {import('esbuild').BuildOptions} */
const options = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  // VS Code 1.93 runs extensions on Node 20.
  target: 'node20',
  outfile: 'dist/extension.js',
  external: ['vscode'],
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'info',
};

/** @type {import('esbuild').BuildOptions} */
const webview = {
  ...options,
  entryPoints: ['src/webview/graph.ts'],
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  outfile: 'dist/graphView.js',
  external: [],
};

if (watch) {
  for (const build of [options, webview]) {
    const context = await esbuild.context(build);
    await context.watch();
  }
} else {
  await Promise.all([esbuild.build(options), esbuild.build(webview)]);
}
