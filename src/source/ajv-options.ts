import type { Ajv } from 'ajv'

/** How every schema of ours is compiled, at build time (standalone) and at run time alike. */
export const AJV_OPTIONS = { allErrors: true, verbose: true, allowUnionTypes: true, strict: true } as const

/**
 * Our own annotation (`x-error`: the message to show when a `pattern` does not match), and the
 * editors' (`defaultSnippets`: what yaml-language-server offers to insert), which ajv only carries.
 */
export function addOurKeywords(ajv: Ajv): Ajv {
  ajv.addKeyword({ keyword: 'x-error', schemaType: 'string' })
  ajv.addKeyword({ keyword: 'defaultSnippets', schemaType: 'array' })
  return ajv
}

/** The schemas precompiled by scripts/build-validators.mjs into dist/validators/<name>.cjs. */
export const SCHEMAS = { scenario: 'scenario.schema.json', device: 'device.schema.json' } as const
export type SchemaName = keyof typeof SCHEMAS
