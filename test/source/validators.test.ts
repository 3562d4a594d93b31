import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { ValidateFunction } from 'ajv'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { compileSchema } from '../../src/source/schema-check.ts'

const require = createRequire(import.meta.url)
const ROOT = new URL('../..', import.meta.url)

/**
 * The validators precompiled at build time (what the CLI loads) and a schema compiled now (what
 * the sources use) must say the same about every document, errors included.
 */
describe('precompiled schema validators', () => {
  const documents = [
    readFileSync(new URL('scenarios/tcp-echo.yaml', ROOT), 'utf8'),
    'name: x\nsteps:\n  - send: AT\n    expct: OK\n',
    'name: x\nsteps:\n  - send: [1]\n    timeout: soon\n',
    'name: x\ndevice: { reset: hrad }\nsteps: []\n',
    'steps:\n  - wait: { data: { hex: zz }, link: 7 }\n',
    'name: x\nvars: { my-var: 1 }\nsteps:\n  - payload: { hex: "01", base64: "AQ==" }\n',
  ].map((text) => parse(text) as unknown)

  for (const [name, file] of [
    ['scenario', 'scenario.schema.json'],
    ['device', 'device.schema.json'],
  ] as const) {
    it(`${name}: the same verdicts and errors as a runtime compile`, () => {
      const built = require(new URL(`dist/validators/${name}.cjs`, ROOT).pathname) as ValidateFunction
      const fresh = compileSchema(JSON.parse(readFileSync(new URL(`schema/${file}`, ROOT), 'utf8')) as object)
      for (const doc of documents) {
        expect(built(doc)).toBe(fresh(doc))
        const strip = (errors: ValidateFunction['errors']) => (errors ?? []).map(({ instancePath, keyword, params, schemaPath }) => ({ instancePath, keyword, params, schemaPath }))
        expect(strip(built.errors)).toEqual(strip(fresh.errors))
      }
    })
  }
})
