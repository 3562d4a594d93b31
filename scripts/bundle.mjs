// Bundles the CLI into dist/bundle/ (one file per lazily loaded part), because resolving and
// reading a hundred small modules is most of the start-up time of a command (see BENCHMARKS.md).
// Native and optional packages stay external: serialport loads prebuilt binaries relative to
// itself, ajv's runtime is required by the precompiled validators, ws probes optional addons.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
// Wherever npm put yaml (hoisted or not): its ES module build is next to its package.json.
const yamlEsm = join(dirname(createRequire(import.meta.url).resolve('yaml/package.json')), 'browser/index.js')

await build({
  absWorkingDir: root,
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
  alias: { yaml: yamlEsm },
  // CommonJS packages inside an ESM bundle still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __atScenarioRequire } from 'node:module'; const require = __atScenarioRequire(import.meta.url);" },
})
