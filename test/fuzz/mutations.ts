import fc from 'fast-check'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { parseDocument, stringify } from 'yaml'
import { renderDiagnostic } from '../../src/diagnostics/code-frame.ts'
import { parseScenario } from '../../src/source/load.ts'

const ROOT = new URL('../..', import.meta.url).pathname

/** The scenarios the project ships and its valid fixtures: the seeds of every mutation. */
export function seedScenarios(root: string): { file: string; text: string }[] {
  const dirs = ['scenarios', 'test/fixtures', 'test/fixtures/language']
  const out: { file: string; text: string }[] = []
  for (const dir of dirs) {
    for (const name of readdirSync(join(root, dir))) {
      if (!name.endsWith('.yaml')) continue
      out.push({ file: join(dir, name), text: readFileSync(join(root, dir, name), 'utf8') })
    }
  }
  return out
}

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('5s', '${nope}', '${env.X', '/(/', '>', 'OK', 'AT', '', '~', '${host.ip}'),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
)

/** Every path to a value inside a parsed document. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix)
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out))
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out)
  return out
}

function setAt(root: unknown, path: (string | number)[], f: (v: unknown) => unknown): unknown {
  if (path.length === 0) {
    const r = f(root)
    return r === DELETE ? null : r
  }
  const [head, ...rest] = path
  const container = root as Record<string | number, unknown>
  const next = setAt(container[head!], rest, f)
  if (next === DELETE_MARK) {
    if (Array.isArray(container)) container.splice(head as number, 1)
    else delete container[head!]
  } else container[head!] = next
  return root
}
const DELETE = Symbol('delete')
const DELETE_MARK = Symbol('deleted')

export type Mutation =
  | { kind: 'delete'; pick: number }
  | { kind: 'retype'; pick: number; value: unknown }
  | { kind: 'nest'; pick: number; depth: number; asList: boolean }
  | { kind: 'unknown-key'; pick: number; key: string }
  | { kind: 'bytes'; at: number; bytes: Uint8Array }
  | { kind: 'cut'; at: number; length: number }
  | { kind: 'duplicate-line'; at: number }
  | { kind: 'indent'; at: number; by: number }

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('retype' as const), pick: fc.nat(), value: anyValue }),
  fc.record({ kind: fc.constant('nest' as const), pick: fc.nat(), depth: fc.integer({ min: 1, max: 200 }), asList: fc.boolean() }),
  fc.record({ kind: fc.constant('unknown-key' as const), pick: fc.nat(), key: fc.constantFrom('expct', 'sned', 'timout', 'x', '', 'steps', 'name') }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
)

/** Applies one mutation; structural ones go through the YAML data, textual ones through the bytes. */
export function mutate(text: string, m: Mutation): string {
  switch (m.kind) {
    case 'bytes':
    case 'cut':
    case 'duplicate-line':
    case 'indent': {
      const at = m.at % (text.length + 1)
      if (m.kind === 'bytes') return text.slice(0, at) + Buffer.from(m.bytes).toString('latin1') + text.slice(at)
      if (m.kind === 'cut') return text.slice(0, at) + text.slice(at + m.length)
      const lines = text.split('\n')
      const i = m.at % lines.length
      if (m.kind === 'duplicate-line') lines.splice(i, 0, lines[i]!)
      else lines[i] = m.by >= 0 ? ' '.repeat(m.by) + lines[i] : lines[i]!.replace(new RegExp(`^ {0,${-m.by}}`), '')
      return lines.join('\n')
    }
    default: {
      // Structural mutations need a document; after a textual one there may be none.
      const parsed = parseDocument(text)
      if (parsed.errors.length > 0) return text
      const doc = parsed.toJS() as unknown
      const all = paths(doc).filter((p) => p.length > 0)
      if (all.length === 0) return text
      const path = all[m.pick % all.length]!
      const mutated = setAt(doc, path, (v) => {
        switch (m.kind) {
          case 'delete':
            return DELETE_MARK
          case 'retype':
            return m.value
          case 'nest': {
            let out: unknown = v
            for (let d = 0; d < m.depth; d++) out = m.asList ? [out] : { n: out }
            return out
          }
          case 'unknown-key':
            return v && typeof v === 'object' && !Array.isArray(v) ? { ...v, [m.key]: 'x' } : v
        }
      })
      return stringify(mutated)
    }
  }
}

/**
 * Whatever a file holds, loading it gives a scenario or located diagnostics: never a throw, never a
 * diagnostic without a place. (The long run of the same property is `npm run fuzz`.)
 */
export function loadsCleanly(file: string, text: string): void {
  const sources = new Map<string, string>()
  const result = parseScenario(`${ROOT}${file}`, text, { cliVars: new Map(), env: {}, cwd: process.cwd() }, sources)
  if (!result.scenario) expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true)
  for (const d of result.diagnostics) {
    if (d.code !== 'file-unreadable') {
      expect(d.span, d.message).toBeDefined()
      expect(d.span!.start.line).toBeGreaterThanOrEqual(1)
      expect(d.span!.start.col).toBeGreaterThanOrEqual(1)
    }
    expect(() => renderDiagnostic(d, (f) => sources.get(f))).not.toThrow()
  }
}

