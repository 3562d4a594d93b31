/** Summary statistics of a sample of durations (ms). */
export interface Stats {
  /** The samples themselves, for pooling several runs. */
  samples: number[]
  n: number
  median: number
  p99: number
  mean: number
  min: number
  max: number
}

export function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return {
    samples: [...samples],
    n: sorted.length,
    median: at(0.5),
    p99: at(0.99),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  }
}

export function ms(value: number, digits = 3): string {
  return `${value.toFixed(digits)} ms`
}

export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`
}

/** A deterministic PRNG (mulberry32), so that every run measures the same input. */
export function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
