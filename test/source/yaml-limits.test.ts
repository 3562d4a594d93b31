import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'
import { checkYamlLimits, YAML_LIMITS } from '../../src/source/yaml-limits.ts'
import { YamlSource } from '../../src/source/yaml-source.ts'

/** The diagnostic YamlSource gives a text, as `code line:col message`. */
function problem(text: string): string | undefined {
  const d = new YamlSource('f.yaml', text).diagnostics[0]
  return d && `${d.code} ${d.span?.start.line}:${d.span?.start.col} ${d.message}`
}

describe('aliases and anchors, checked before yaml resolves them', () => {
  it('an alias with no anchor before it: at the alias', () => {
    expect(problem('a: 1\nb: *nope\n')).toBe('yaml-alias 2:4 the alias `*nope` refers to no anchor: there is no `&nope` before it')
    // After it does not count: yaml resolves to the last anchor *before* the alias.
    expect(problem('a: *x\nb: &x 1\n')).toBe('yaml-alias 1:4 the alias `*x` refers to no anchor: there is no `&x` before it')
  })

  it('an alias inside the value it refers to', () => {
    expect(problem('a: &s [1, *s]\n')).toMatch(/^yaml-alias 1:11 the alias `\*s` is inside the value it refers to/)
  })

  it('the same anchor name twice: an alias refers to the latest, as in yaml', () => {
    const source = new YamlSource('f.yaml', 'a: &x 1\nb: &x 2\nc: *x\n')
    expect(source.diagnostics).toEqual([])
    expect(source.value).toEqual({ a: 1, b: 2, c: 2 })
  })

  it('an alias bomb: the first alias over maxAliasCount, named', () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x]']
    for (let l = 1; l < 9; l++) levels.push(`a${l}: &a${l} [${Array(9).fill(`*a${l - 1}`).join(', ')}]`)
    // Uses of a1 count 10 × 9 = 90, within 100; the first use of a2 counts 2 × 90.
    expect(problem(levels.join('\n'))).toMatch(/^too-large 4:10 the alias `\*a2` is one use too many of `&a2`: an anchor may stand for at most 100 values, counting the aliases inside it \(the yaml package's maxAliasCount\)/)
  })

  it('more aliases than maxAliases, each to its own anchor', () => {
    const n = YAML_LIMITS.maxAliases + 1
    const text = `a: [${Array.from({ length: n }, (_, i) => `&a${i} v`).join(', ')}]\nb: [${Array.from({ length: n }, (_, i) => `*a${i}`).join(', ')}]\n`
    expect(problem(text)).toMatch(/^too-large 2:\d+ more than 1000 aliases in one file$/)
  })

  it('aliases that expand to more than maxExpandedNodes values', () => {
    const big = `[${Array(2000).fill('v').join(', ')}]`
    const uses = Array.from({ length: 60 }, () => '*big').join(', ')
    expect(problem(`big: &big ${big}\nuses: [${uses}]\n`)).toMatch(/^too-large 2:\d+ the aliases of this file expand to more than 100000 values$/)
  })

  it('nesting deeper than maxDepth', () => {
    expect(problem(`a: ${'['.repeat(YAML_LIMITS.maxDepth + 5)}${']'.repeat(YAML_LIMITS.maxDepth + 5)}\n`)).toMatch(/^too-large 1:\d+ the YAML here is nested deeper than 100 levels/)
  })

  it('a merge key whose value is not a map (YAML 1.1): at the value, not a crash in yaml', () => {
    expect(problem('%YAML 1.1\n---\nn: &n 1\nm: { <<: *n }\n')).toMatch(/^yaml-syntax 4:10 a merge key \(`<<`\) takes a map, an alias of a map, or a list of them$/)
    const merged = new YamlSource('f.yaml', '%YAML 1.1\n---\nd: &d { a: 1 }\nm: { <<: *d, b: 2 }\n')
    expect(merged.diagnostics).toEqual([])
    expect(merged.value).toEqual({ d: { a: 1 }, m: { a: 1, b: 2 } })
  })

  it('ordinary anchors and aliases still work', () => {
    const source = new YamlSource('f.yaml', 'ok: &ok [OK]\nsteps:\n  - send: AT\n    expect: *ok\n  - send: ATE0\n    expect: *ok\n')
    expect(source.diagnostics).toEqual([])
    expect(source.value).toEqual({ ok: ['OK'], steps: [{ send: 'AT', expect: ['OK'] }, { send: 'ATE0', expect: ['OK'] }] })
  })

  it('counts as yaml does: whatever passes the check, yaml converts with the same maxAliasCount, and what yaml refuses for its alias count, the check refuses', () => {
    // Small documents of anchored lists, each of aliases to earlier anchors.
    const doc = fc.array(fc.array(fc.nat(), { maxLength: 12 }), { minLength: 1, maxLength: 8 }).map((lists) =>
      lists.map((refs, i) => `l${i}: &a${i} [${i === 0 ? 'x' : refs.map((r) => `*a${r % i}`).join(', ')}]`).join('\n'),
    )
    fc.assert(
      fc.property(doc, (text) => {
        const parsed = parseDocument(text)
        const found = checkYamlLimits(parsed)
        let refused: string | undefined
        try {
          parsed.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount })
        } catch (e) {
          refused = (e as Error).message
        }
        if (!found) expect(refused).toBeUndefined()
        if (refused) expect(found?.message).toMatch(/maxAliasCount/)
        if (found?.message.includes('maxAliasCount')) expect(refused).toMatch(/Excessive alias count/)
      }),
      { numRuns: 500 },
    )
  })
})
