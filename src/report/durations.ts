/**
 * A duration for people: milliseconds below 10 s, because AT steps take milliseconds and listr2's
 * `[0.0s]` hides the difference between 2 ms and 90 ms; tenths of a second up to two minutes; then
 * minutes and seconds.
 */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${Math.max(0, Math.round(ms))} ms`
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`
  const seconds = Math.round(ms / 1000)
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`
}

/** Seconds with millisecond precision, as JUnit's `time` attributes want them. */
export function junitSeconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3)
}
