// Bundles the CLI into dist/bundle/ (one file per lazily loaded part), because resolving and
// reading a hundred small modules is most of the start-up time of a command (see BENCHMARKS.md).
// Native and optional packages stay external: serialport loads prebuilt binaries relative to
// itself, ajv's runtime is required by the precompiled validators, ws probes optional addons.
import { build } from 'esbuild'

await build({
  entryPoints: { 'at-scenario': 'src/cli/main.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Same depth as dist/<folder>/ so that paths relative to import.meta.url (../../package.json,
  // ../validators/, ../../schema/) hold for the bundle as for the tsc output.
  chunkNames: '[name]-[hash]',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  external: ['serialport', '@serialport/*', 'ajv', 'ajv/*', 'bufferutil', 'utf-8-validate'],
  // yaml's ES module build (the same code as its CommonJS one): no CommonJS wrappers to run at
  // start-up, and what we do not use is left out.
  alias: { yaml: './node_modules/yaml/browser/index.js' },
  // CommonJS packages inside an ESM bundle still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __atScenarioRequire } from 'node:module'; const require = __atScenarioRequire(import.meta.url);" },
})
