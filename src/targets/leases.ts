/**
 * What a run holds in a lab for as long as it runs: a labgrid place, acquired before the first
 * scenario on it and released once, when the run ends, whichever way it ends (passed, failed, Ctrl-C,
 * a port that would not open). Holding it across scenarios keeps another CI job from taking the board
 * in between.
 */
export interface Lease<T> {
  value: T
  /** Gives it back; resolves with a line saying so, or rejects with what went wrong. */
  release(): Promise<string>
}

/** One lane's holdings: one lease per key (a `--port`), taken on first use. */
export interface LeaseScope {
  hold<T>(key: string, take: () => Promise<Lease<T>>): Promise<T>
}

/** Every lease of a run; `releaseAll` at its end. */
export class Leases {
  private readonly held: Promise<Lease<unknown>>[] = []

  /** A scope per lane: two lanes on `--port labgrid` with one reservation filter hold a place each. */
  scope(): LeaseScope {
    const mine = new Map<string, Promise<Lease<unknown>>>()
    return {
      hold: async <T>(key: string, take: () => Promise<Lease<T>>): Promise<T> => {
        let lease = mine.get(key) as Promise<Lease<T>> | undefined
        if (!lease) {
          lease = take()
          mine.set(key, lease)
          this.held.push(lease)
          // A lease that could not be taken is tried again by the next scenario, not kept as a failure.
          lease.catch(() => mine.delete(key))
        }
        return (await lease).value
      },
    }
  }

  /** Releases what was taken (in reverse order); one line per lease, failures as `problems`. */
  async releaseAll(): Promise<{ released: string[]; problems: string[] }> {
    const released: string[] = []
    const problems: string[] = []
    for (const taking of this.held.splice(0).reverse()) {
      let lease: Lease<unknown>
      try {
        lease = await taking
      } catch {
        continue // never taken: whoever took it cleaned up
      }
      try {
        released.push(await lease.release())
      } catch (e) {
        problems.push((e as Error).message)
      }
    }
    return { released, problems }
  }
}
