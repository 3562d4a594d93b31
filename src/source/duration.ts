const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const

/**
 * The longest delay a Node timer keeps (2^31 - 1 ms, about 24.8 days): a longer one fires after
 * 1 ms with a TimeoutOverflowWarning, so a `timeout: 40000m` would end its step at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** `250ms`, `5s`, `1.5s`, `2m`, or a number of milliseconds; undefined when it is none of those. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/.exec(value)
  if (!match) return undefined
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS])
}

/** A duration for a timer, or what is wrong with it, as a message and a hint. */
export function checkDuration(value: unknown): { ms: number } | { problem: string; hint: string } {
  const ms = parseDuration(value)
  if (ms === undefined) return { problem: `\`${String(value)}\` is not a duration`, hint: 'write `250ms`, `5s`, `2m`, or a number of milliseconds' }
  if (ms > MAX_TIMER_MS) {
    return {
      problem: `\`${String(value)}\` is ${ms} ms, longer than a timer can wait (${MAX_TIMER_MS} ms, about 24.8 days)`,
      hint: `at most ${MAX_TIMER_MS} (or \`35791m\`)`,
    }
  }
  return { ms }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)}s`
  return `${(ms / 60_000).toFixed(1)}m`
}
