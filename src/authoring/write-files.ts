import { existsSync } from 'node:fs'
import { relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const SCHEMA = fileURLToPath(new URL('../../schema/scenario.schema.json', import.meta.url))

/** The `$schema=` path of a scenario written into `dir`: the project's schema, relative to it. */
export function schemaReference(dir: string): string | undefined {
  if (!existsSync(SCHEMA)) return undefined
  return relative(dir, SCHEMA).split(sep).join('/')
}
