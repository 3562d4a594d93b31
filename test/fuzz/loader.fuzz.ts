import fc from 'fast-check'
import { describe, it } from 'vitest'
import { loadsCleanly, mutate, mutation, seedScenarios } from './mutations.ts'
import { assertInBatches, TOTAL_RUNS } from './seed.ts'

const ROOT = new URL('../..', import.meta.url).pathname
const seeds = seedScenarios(ROOT)

describe('scenario loader fuzz', () => {
  it('mutated scenarios give a scenario or located diagnostics, never a crash', async () => {
    // A load is a thousand times the work of a framer case: a smaller share of the run.
    const runs = Math.max(1, Math.round(TOTAL_RUNS / 200))
    await assertInBatches(
      'loader mutations',
      runs,
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, mutations) => {
        loadsCleanly(seed.file, mutations.reduce(mutate, seed.text))
      }),
      100,
    )
  })
})
