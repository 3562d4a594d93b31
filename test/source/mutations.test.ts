import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadsCleanly, mutate, mutation, seedScenarios } from '../fuzz/mutations.ts'
import type { Mutation, YamlMutation } from '../fuzz/mutations.ts'

const seeds = seedScenarios(new URL('../..', import.meta.url).pathname)

describe('mutated scenarios load cleanly', () => {
  it('the seeds themselves', () => {
    expect(seeds.length).toBeGreaterThan(3)
    for (const s of seeds) loadsCleanly(s.file, s.text)
  })

  it('random mutations (a few hundred here; npm run fuzz runs many more)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, mutations) => {
        const text = mutations.reduce(mutate, seed.text)
        loadsCleanly(seed.file, text)
      }),
      { numRuns: 400 },
    )
  })

  it('a huge file and deep nesting', () => {
    const step = '  - send: AT\n    expect: OK\n'
    loadsCleanly('huge.yaml', `name: huge\nsteps:\n${step.repeat(20_000)}`)
    loadsCleanly('deep.yaml', `name: deep\nsteps:\n  - send: ${'['.repeat(5000)}${']'.repeat(5000)}\n`)
    loadsCleanly('deep-map.yaml', `name: deep\nsteps:\n  - send: AT\n    expect: ${'{a: '.repeat(3000)}1${'}'.repeat(3000)}\n`)
  })

  it('the YAML mutations change the YAML structure as they say (else the fuzz would not try them)', () => {
    const seed = seeds.find((s) => s.file === 'scenarios/tcp-echo.yaml')!.text
    const cases: [YamlMutation, RegExp][] = [
      [{ kind: 'alias', anchorAt: 3, aliasAt: 9, name: 'a' }, /&a [\s\S]*\*a\b/],
      [{ kind: 'dangling-alias', at: 5 }, /\*nowhere-defined/],
      [{ kind: 'alias-bomb', at: 4, levels: 3, width: 3, topLevel: false }, /l2: &l2 \[ \*l1, \*l1, \*l1 \]/],
      [{ kind: 'alias-bomb', at: 4, levels: 3, width: 3, topLevel: true }, /^bomb: \{l0: &l0 /],
      [{ kind: 'merge-key', at: 1, fromAnchor: true, yaml11: true }, /^%YAML 1\.1\n---\n[\s\S]*&merged[\s\S]*<<: \*merged/],
      [{ kind: 'merge-key', at: 1, fromAnchor: false, yaml11: false }, /<<:/],
      [{ kind: 'tag', at: 3, tag: '!!binary' }, /!!binary/],
      [{ kind: 'huge-scalar', at: 3, length: 5000, char: 'x' }, /x{5000}/],
      [{ kind: 'document', form: 'second-document' }, /\n---\nname: second\n/],
    ]
    for (const [m, shows] of cases) {
      const out = mutate(seed, m)
      expect(out, m.kind).not.toBe(seed)
      expect(out, m.kind).toMatch(shows)
      loadsCleanly('scenarios/tcp-echo.yaml', out)
    }
  })

  it('a mutation yaml cannot write leaves the text as it was (found by npm run fuzz: a !!timestamp tag, then a merge key)', () => {
    const seed = seeds.find((s) => s.file === 'scenarios/tcp-echo.yaml')!.text
    const ms: YamlMutation[] = [
      { kind: 'merge-key', at: 0, fromAnchor: false, yaml11: true },
      { kind: 'tag', at: 1654958, tag: '!!timestamp' },
      { kind: 'merge-key', at: 0, fromAnchor: false, yaml11: false },
    ]
    expect(() => loadsCleanly('scenarios/tcp-echo.yaml', ms.reduce(mutate, seed))).not.toThrow()
  })

  it('a value a tag made is replaced whole, not entered (found by npm run fuzz: !!binary, then a delete)', () => {
    const seed = seeds.find((s) => s.file === 'scenarios/tls-echo.yaml')!.text
    const ms: Mutation[] = [
      { kind: 'tag', at: 15, tag: '!!binary' },
      { kind: 'delete', pick: 9 },
      { kind: 'merge-key', at: 0, fromAnchor: false, yaml11: false },
    ]
    expect(() => loadsCleanly('scenarios/tls-echo.yaml', ms.reduce(mutate, seed))).not.toThrow()
  })
})
