import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv'
import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import { error } from '../diagnostics/diagnostic.ts'
import { didYouMean } from '../diagnostics/suggest.ts'
import { addOurKeywords, AJV_OPTIONS, SCHEMAS } from './ajv-options.ts'
import type { SchemaName } from './ajv-options.ts'
import type { Path, YamlSource } from './yaml-source.ts'

const requireCjs = createRequire(import.meta.url)
const validators = new Map<SchemaName, ValidateFunction>()

/**
 * The validator of one of our schemas: the one precompiled at build time (dist/validators), or,
 * running from the sources (tests), compiled now with the same options.
 */
export function schemaValidator(name: SchemaName): ValidateFunction {
  let validate = validators.get(name)
  if (!validate) {
    validate = precompiled(name) ?? compileSchema(JSON.parse(readFileSync(new URL(`../../schema/${SCHEMAS[name]}`, import.meta.url), 'utf8')) as object)
    validators.set(name, validate)
  }
  return validate
}

function precompiled(name: SchemaName): ValidateFunction | undefined {
  try {
    return requireCjs(`../validators/${name}.cjs`) as ValidateFunction
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined
    throw e
  }
}

/** Compiles a JSON Schema as ours are compiled (same options, the `x-error` keyword). Loads ajv: not for start-up paths. */
export function compileSchema(schema: object): ValidateFunction {
  const { Ajv } = requireCjs('ajv') as { Ajv: typeof AjvClass }
  return addOurKeywords(new Ajv({ ...AJV_OPTIONS })).compile(schema)
}

export interface SchemaCheck {
  diagnostics: Diagnostic[]
  /** JSON pointers of the values with problems, so later stages can skip them. */
  badPaths: string[]
}

/**
 * Checks the document against schema/scenario.schema.json (or `options.validate`, a schema from
 * compileSchema, whose document `options.subject` names in messages); one located diagnostic per problem.
 */
export function checkSchema(
  source: YamlSource,
  value: unknown,
  options: { nameOptional?: boolean; validate?: ValidateFunction; subject?: string } = {},
): SchemaCheck {
  const validate = options.validate ?? schemaValidator('scenario')
  const subject = options.subject ?? 'the scenario'
  if (validate(value)) return { diagnostics: [], badPaths: [] }
  const errors = relevantErrors(validate.errors ?? []).filter(
    (e) => !(options.nameOptional && e.keyword === 'required' && e.instancePath === '' && (e.params as { missingProperty: string }).missingProperty === 'name'),
  )
  // `stpes:` reads better as "did you mean `steps`?" alone than with "missing `steps`" beside it.
  const misspelt = new Set(
    errors
      .filter((e) => e.keyword === 'additionalProperties')
      .map((e) => {
        const allowed = Object.keys(((e.parentSchema ?? {}) as { properties?: object }).properties ?? {})
        return `${e.instancePath}/${didYouMean(String((e.params as { additionalProperty: string }).additionalProperty), allowed) ?? ''}`
      }),
  )
  const seen = new Set<string>()
  const out: Diagnostic[] = []
  for (const e of errors) {
    if (e.keyword === 'required' && misspelt.has(`${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`)) continue
    const d = toDiagnostic(source, e, subject)
    const key = `${d.span?.start.line}:${d.span?.start.col}:${d.message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(d)
  }
  out.sort((a, b) => (a.span?.start.line ?? 0) - (b.span?.start.line ?? 0) || (a.span?.start.col ?? 0) - (b.span?.start.col ?? 0))
  return { diagnostics: out, badPaths: [...new Set(errors.map((e) => e.instancePath))] }
}

/**
 * For `anyOf` (one expectation or a list of them), keep only the errors of the branch that fits the
 * value's shape, so a user sees "unknown key" rather than three alternatives.
 */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  // Our anyOfs offer a single form (branch 0) or a list of them (branch 1).
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf')
  const otherBranch = (e: ErrorObject) =>
    anyOfs.some((a) => {
      if (a === e) return false
      if (Array.isArray(a.data)) return e.instancePath === a.instancePath && !e.schemaPath.startsWith(`${a.schemaPath}/1/`)
      return e.schemaPath.startsWith(`${a.schemaPath}/1/`)
    })
  const kept = errors.filter((e) => e.keyword !== 'anyOf' && !otherBranch(e))
  // The anyOf itself says less than the errors of its branch; it stays only when they are none.
  const orphans = anyOfs.filter((a) => !kept.some((e) => e.instancePath === a.instancePath || e.instancePath.startsWith(`${a.instancePath}/`)))
  return [...kept, ...orphans].filter(
    // A `propertyNames` failure comes with the inner `pattern` failure; the outer one says it better.
    (e) => !(e.keyword === 'pattern' && e.propertyName !== undefined),
  )
}

function toPath(instancePath: string): Path {
  if (!instancePath) return []
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s))
}

function describePath(path: Path, subject: string): string {
  if (path.length === 0) return subject
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p
  return `\`${out}\``
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a map'
  if (typeof value === 'string') return 'a string'
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number'
  if (typeof value === 'boolean') return 'a boolean'
  return typeof value
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  array: 'a list',
  object: 'a map',
}

function toDiagnostic(source: YamlSource, e: ErrorObject, subject: string): Diagnostic {
  const path = toPath(e.instancePath)
  const where = describePath(path, subject)
  const parentSchema = (e.parentSchema ?? {}) as Record<string, unknown>
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty)
      const allowed = Object.keys((parentSchema.properties ?? {}))
      const suggestion = didYouMean(key, allowed)
      const keyNode = source.keyAt(path, key)
      const span = keyNode ? source.spanOfNode(keyNode) : source.spanAt(path)
      const hint = suggestion ? `did you mean \`${suggestion}\`?` : `expected one of: ${allowed.join(', ')}`
      return error('unknown-key', `unknown key \`${key}\` in ${where}`, span, hint)
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty)
      return error('missing-key', `${where} is missing the required key \`${missing}\``, source.spanAt(path))
    }
    case 'type': {
      const types = String((e.params as { type: string }).type).split(',').map((t) => TYPE_WORDS[t] ?? t)
      return error('wrong-type', `${where} must be ${types.join(' or ')}, not ${typeName(e.data)}`, source.spanAt(path))
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String)
      const suggestion = typeof e.data === 'string' ? didYouMean(e.data, allowed) : undefined
      return error(
        'bad-value',
        `${where} must be one of ${allowed.map((a) => `\`${a}\``).join(', ')}`,
        source.spanAt(path),
        suggestion ? `did you mean \`${suggestion}\`?` : undefined,
      )
    }
    case 'pattern': {
      const custom = parentSchema['x-error']
      const message = typeof custom === 'string' ? custom : `must match ${(e.params as { pattern: string }).pattern}`
      return error(custom && path.at(-1) !== undefined && /duration/.test(message) ? 'bad-duration' : 'bad-value', `${where} ${message}`, source.spanAt(path))
    }
    case 'propertyNames': {
      const name = String((e.params as { propertyName: string }).propertyName)
      const keyNode = source.keyAt(path, name)
      return error(
        'bad-value',
        `\`${name}\` is not a valid variable name`,
        keyNode ? source.spanOfNode(keyNode) : source.spanAt(path),
        'use letters, digits and `_`, not starting with a digit',
      )
    }
    case 'minItems':
      return error('bad-value', `${where} must not be empty`, source.spanAt(path))
    case 'minLength':
      return error('bad-value', `${where} must not be empty`, source.spanAt(path))
    case 'minProperties':
      return error('bad-value', `${where} must not be an empty map`, source.spanAt(path))
    case 'minimum':
    case 'maximum': {
      const limit = (e.params as { limit: number }).limit
      return error('bad-value', `${where} must be ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${limit}`, source.spanAt(path))
    }
    default:
      return error('schema', `${where} ${e.message ?? 'is invalid'}`, source.spanAt(path))
  }
}
