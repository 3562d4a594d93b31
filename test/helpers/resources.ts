import { afterEach } from 'vitest'
import { ptyPair } from './pty.ts'
import type { PtyPair } from './pty.ts'
import { startSim } from './sim.ts'
import type { SimProcess } from './sim.ts'

type Closable = { close(): unknown } | { stop(): unknown }

/**
 * What a test starts is stopped after it, in reverse order, whatever the test did: `track` it.
 * One afterEach for every file, instead of a copy per file.
 */
export function useResources(): <T extends Closable>(resource: T) => T {
  const open: Closable[] = []
  afterEach(async () => {
    for (const r of open.splice(0).reverse()) await ('stop' in r ? r.stop() : r.close())
  })
  return (resource) => {
    open.push(resource)
    return resource
  }
}

/** A socat pseudo-terminal pair and `at-scenario sim` processes, stopped after each test. */
export function usePtySim() {
  const track = useResources()
  return {
    pair: async (): Promise<PtyPair> => track(await ptyPair()),
    sim: async (args: string[]): Promise<SimProcess> => track(await startSim(args)),
    /** The simulator on one end of a fresh pair (`args`: more options of `sim`); the runner opens `pair.host`. */
    async served(args: string[] = []): Promise<{ pair: PtyPair; sim: SimProcess }> {
      const pair = track(await ptyPair())
      const sim = track(await startSim(['--port', pair.device, ...args]))
      return { pair, sim }
    },
    track,
  }
}
