import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadsCleanly, mutate, mutation, seedScenarios } from '../fuzz/mutations.ts'

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
})
