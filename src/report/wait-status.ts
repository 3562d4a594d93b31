import { terminalText } from '../bytes/terminal-text.ts'
import type { StepResult } from '../engine/result.ts'
import { formatDuration } from './durations.ts'

/** A step as progress output knows it while it runs (from its `step:start` event). */
export interface RunningStep {
  kind: StepResult['kind']
  expected: readonly string[]
  /** Its timeout, or a sleep's duration. */
  waitMs: number
}

/** What a running step waits for and the time it has left: "waiting for `OK` (4.2 s left)". */
export function describeWait(step: RunningStep, elapsedMs: number): string {
  const leftMs = Math.max(0, step.waitMs - elapsedMs)
  // A countdown in milliseconds would flicker: tenths of a second are enough to read while it runs.
  const left = leftMs < 10_000 ? `${(leftMs / 1000).toFixed(1)} s` : formatDuration(leftMs)
  if (step.kind === 'sleep') return `sleeping (${left} left)`
  if (step.expected.length === 0) return `waiting (${left} left)`
  return `waiting for ${step.expected.map((e) => `\`${terminalText(e)}\``).join(', ')} (${left} left)`
}
