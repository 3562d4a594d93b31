import fc from 'fast-check'

/** The seed of this fuzz run: FUZZ_SEED replays a run exactly; otherwise a fresh one. */
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Date.now() ^ Math.floor(Math.random() * 2 ** 31)) | 0

/** FUZZ_RUNS sets the size of the whole run; each property takes its share. */
export const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 1_000_000)

/**
 * fast-check settings for one property, printed first so that a failure can be reproduced from
 * the log alone (fast-check also prints the seed and path of a counterexample).
 */
export function fuzzSettings(name: string, numRuns: number): { seed: number; numRuns: number; path?: string } {
  console.log(`[fuzz] ${name}: ${numRuns} cases, seed ${seed} (replay: FUZZ_SEED=${seed} npm run fuzz)`)
  return { seed, numRuns, ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) }
}


/**
 * Runs a property in batches (5,000 cases by default) with a pause between them: one synchronous run of a
 * million cases would starve the test worker's heartbeat. Batch b uses seed + b, so FUZZ_SEED still
 * replays the whole run, and fast-check's report names the batch seed and path of a failure.
 */
export async function assertInBatches<T extends unknown[]>(name: string, numRuns: number, property: fc.IProperty<T>, batch = 5_000): Promise<void> {
  const { seed } = fuzzSettings(name, numRuns)
  for (let done = 0, b = 0; done < numRuns; done += batch, b++) {
    fc.assert(property, { seed: seed + b, numRuns: Math.min(batch, numRuns - done), ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) })
    await new Promise((resolve) => setImmediate(resolve))
  }
}
