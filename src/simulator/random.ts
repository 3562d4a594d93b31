/**
 * A small seeded pseudo-random generator (mulberry32): fault injection must be reproducible, so a
 * profile's `faults.seed` gives the same chunk sizes and garbage bytes on every run.
 */
export class SeededRandom {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  bytes(count: number): Buffer {
    const out = Buffer.alloc(count)
    for (let i = 0; i < count; i++) out[i] = this.int(0, 255)
    return out
  }
}
