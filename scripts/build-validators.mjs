// Precompiles the JSON Schemas into standalone validators (dist/validators/*.cjs), so that a run
// or `validate` loads neither ajv nor a schema compiler at start-up: ~100 ms saved per command.
// CommonJS, because ajv's standalone code requires its small runtime helpers.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import standalone from 'ajv/dist/standalone/index.js'
import { addOurKeywords, AJV_OPTIONS, SCHEMAS } from '../dist/source/ajv-options.js'

const root = new URL('..', import.meta.url)
mkdirSync(new URL('dist/validators/', root), { recursive: true })
for (const [name, file] of Object.entries(SCHEMAS)) {
  const ajv = addOurKeywords(new Ajv({ ...AJV_OPTIONS, code: { source: true } }))
  const validate = ajv.compile(JSON.parse(readFileSync(new URL(`schema/${file}`, root), 'utf8')))
  const code = (standalone.default ?? standalone)(ajv, validate)
  writeFileSync(new URL(`dist/validators/${name}.cjs`, root), `// Generated from schema/${file} by scripts/build-validators.mjs.\n${code}\n`)
}
