import fc from 'fast-check'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { isAlias, isCollection, isPair, parseDocument, stringify, visit } from 'yaml'
import type { Node } from 'yaml'
import { renderDiagnostic } from '../../src/diagnostics/code-frame.ts'
import { parseScenario } from '../../src/source/load.ts'
import { checkYamlLimits } from '../../src/source/yaml-limits.ts'

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

/**
 * Every path to a value inside a parsed document. Only lists and plain maps are entered: what a tag
 * made (a `!!binary` Uint8Array, a `!!set`, a `!!timestamp` Date) is one value, to replace whole.
 */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix)
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out))
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out)
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
  | YamlMutation

/** Mutations of the YAML structure itself: what a hostile or confused author can write besides values. */
export type YamlMutation =
  /** An anchor on one node and an alias to it in place of another (before it, inside it, after it). */
  | { kind: 'alias'; anchorAt: number; aliasAt: number; name: string }
  /** An alias to an anchor that exists nowhere. */
  | { kind: 'dangling-alias'; at: number }
  /** An alias bomb: `levels` anchors, each a list of `width` aliases to the one before, at a node or as a top-level key. */
  | { kind: 'alias-bomb'; at: number; levels: number; width: number; topLevel: boolean }
  /** A merge key (`<<: *anchor` or `<<: {...}`) in a map, with or without `%YAML 1.1` (which turns merges on). */
  | { kind: 'merge-key'; at: number; fromAnchor: boolean; yaml11: boolean }
  /** A tag on a node: the core ones, YAML 1.1's, an unknown one. */
  | { kind: 'tag'; at: number; tag: string }
  /** A scalar of up to a few hundred thousand characters. */
  | { kind: 'huge-scalar'; at: number; length: number; char: string }
  /** Directives and documents around the one document. */
  | { kind: 'document'; form: 'yaml11' | 'tag-directive' | 'second-document' | 'end-marker' | 'bom' | 'yaml13' }

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('retype' as const), pick: fc.nat(), value: anyValue }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('nest' as const), pick: fc.nat(), depth: fc.integer({ min: 1, max: 200 }), asList: fc.boolean() }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('unknown-key' as const), pick: fc.nat(), key: fc.constantFrom('expct', 'sned', 'timout', 'x', '', 'steps', 'name') }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 80 }) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('alias' as const), anchorAt: fc.nat(), aliasAt: fc.nat(), name: fc.constantFrom('a', 'b', 'x1', 'nope') }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('dangling-alias' as const), at: fc.nat() }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('alias-bomb' as const), at: fc.nat(), levels: fc.integer({ min: 1, max: 10 }), width: fc.integer({ min: 1, max: 12 }), topLevel: fc.boolean() }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('merge-key' as const), at: fc.nat(), fromAnchor: fc.boolean(), yaml11: fc.boolean() }), weight: 5 },
  {
    arbitrary: fc.record({
      kind: fc.constant('tag' as const),
      at: fc.nat(),
      tag: fc.constantFrom('!!str', '!!int', '!!float', '!!bool', '!!null', '!!map', '!!seq', '!!binary', '!!set', '!!omap', '!!pairs', '!!timestamp', '!custom', '!', '!!nope', '!<tag:yaml.org,2002:str>'),
    }),
    weight: 5,
  },
  // Rarer than the others: a case with one costs several ordinary ones, mostly in the YAML parser.
  { arbitrary: fc.record({ kind: fc.constant('huge-scalar' as const), at: fc.nat(), length: fc.integer({ min: 1000, max: 200_000 }), char: fc.constantFrom('x', '$', '{', '\\', 'é', '\n') }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('document' as const), form: fc.constantFrom('yaml11' as const, 'tag-directive' as const, 'second-document' as const, 'end-marker' as const, 'bom' as const, 'yaml13' as const) }), weight: 5 },
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
    case 'alias':
    case 'dangling-alias':
    case 'alias-bomb':
    case 'merge-key':
    case 'tag':
    case 'huge-scalar':
    case 'document':
      return mutateYaml(text, m)
    default: {
      // Structural mutations need a document; after a textual one there may be none, and its
      // aliases (another mutation's) may not resolve.
      const parsed = parseDocument(text, { logLevel: 'error' })
      // An alias inside its own anchor would make a value that contains itself, for ever.
      if (parsed.errors.length > 0 || checkYamlLimits(parsed)) return text
      let doc: unknown
      try {
        doc = parsed.toJS({ maxAliasCount: 100 })
      } catch {
        return text
      }
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

/** The nodes of a document in document order (what anchors and aliases can be put on). */
function nodesOf(doc: ReturnType<typeof parseDocument>): Node[] {
  const out: Node[] = []
  visit(doc, { Node: (_key, node) => void out.push(node) })
  return out
}

/** Puts `replacement` where `target` is in the document. */
function replaceNode(doc: ReturnType<typeof parseDocument>, target: Node, replacement: Node): void {
  if (doc.contents === target) {
    doc.contents = replacement
    return
  }
  visit(doc, {
    Node: (_key, node) => (node === target ? replacement : undefined),
  })
}

function mutateYaml(text: string, m: YamlMutation): string {
  if (m.kind === 'document') {
    switch (m.form) {
      case 'yaml11':
        return `%YAML 1.1\n---\n${text}`
      case 'yaml13':
        return `%YAML 1.3\n---\n${text}`
      case 'tag-directive':
        return `%TAG !e! tag:example.com,2000:\n---\n${text.replace(/: (\w)/, ': !e!thing $1')}`
      case 'second-document':
        return `${text}\n---\nname: second\nsteps: [{send: AT}]\n`
      case 'end-marker':
        return `${text}\n...\n`
      case 'bom':
        return `\uFEFF${text}`
    }
  }
  const doc = parseDocument(text, { logLevel: 'error' })
  if (doc.errors.length > 0) return text
  const nodes = nodesOf(doc)
  if (nodes.length === 0) return text
  const pick = (n: number) => nodes[n % nodes.length]!
  switch (m.kind) {
    case 'alias': {
      const target = pick(m.anchorAt)
      if (isAlias(target)) return text
      target.anchor = m.name
      const place = pick(m.aliasAt)
      if (place === target) return text
      replaceNode(doc, place, doc.createAlias(target, m.name))
      break
    }
    case 'dangling-alias':
      replaceNode(doc, pick(m.at), doc.createAlias(doc.createNode('x') as never, 'nowhere-defined'))
      // createAlias anchored the new node, which is not in the document: the alias is left dangling.
      break
    case 'alias-bomb': {
      const lines = [`l0: &l0 [${Array.from({ length: m.width }, () => '"lol"').join(', ')}]`]
      for (let l = 1; l < m.levels; l++) lines.push(`l${l}: &l${l} [${Array.from({ length: m.width }, () => `*l${l - 1}`).join(', ')}]`)
      const bomb = `{${lines.join(', ')}}`
      if (m.topLevel) return `bomb: ${bomb}\n${text}`
      replaceNode(doc, pick(m.at), parseDocument(`${bomb}`).contents as Node)
      // Re-parse the bomb in place: the aliases must be written, not resolved.
      break
    }
    case 'merge-key': {
      const maps = nodes.filter((n) => isCollection(n) && !isAlias(n) && 'items' in n && n.items.every((i) => isPair(i)))
      const map = maps[m.at % Math.max(1, maps.length)]
      if (!map || !isCollection(map)) return text
      if (m.fromAnchor) {
        const target = pick(m.at + 1)
        if (isAlias(target) || target === map) return text
        target.anchor = 'merged'
        map.items.push(doc.createPair('<<', doc.createAlias(target as never, 'merged')))
      } else {
        map.items.push(doc.createPair('<<', { send: 'AT', expect: 'OK' }))
      }
      const out = written(doc, text)
      return m.yaml11 && out !== text ? `%YAML 1.1\n---\n${out}` : out
    }
    case 'tag': {
      const node = pick(m.at)
      if (isAlias(node)) return text
      node.tag = m.tag
      break
    }
    case 'huge-scalar': {
      const node = pick(m.at)
      replaceNode(doc, node, doc.createNode(m.char.repeat(m.length)) as Node)
      break
    }
  }
  return written(doc, text)
}

/** The mutated document as text, or `text` as it was when yaml cannot write it (a `!!timestamp` on a string). */
function written(doc: ReturnType<typeof parseDocument>, text: string): string {
  try {
    return doc.toString({ verifyAliasOrder: false, lineWidth: 0 })
  } catch {
    return text
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
    // The alias check before conversion is meant to leave yaml nothing to refuse (its fallback names no place).
    expect(d.message, d.message).not.toMatch(/^the YAML cannot be read/)
  }
}

