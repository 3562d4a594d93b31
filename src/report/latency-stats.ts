import { commandKey } from '../engine/latency.ts'
import type { RunResult, StepResult } from '../engine/result.ts'

/** Percentiles of a set of latencies, in ms. */
export interface Figures {
  p50: number
  p90: number
  p99: number
  max: number
}

/** The latency of one AT command (by name) over a run: every step that sent it and got an answer. */
export interface CommandLatency {
  /** `AT+CWJAP`, `AT+CWJAP?`, `AT`; `payload after AT+WSSEND` for the bytes written at its prompt; `write` for raw writes that waited. */
  command: string
  /** Answers counted (steps that wrote and got a deciding line, passed or not, over all runs). */
  count: number
  /** From the write to the line that decided the step. */
  resultMs: Figures
  /** From the write to the first byte after it, where one came. */
  firstByteMs?: Figures
  /** Every `resultMs`, sorted: for histograms (not written to results.json). */
  samples: number[]
}

/**
 * The name a step's answer is counted under, given the command sent before it in its run (a
 * payload's answer belongs to the command whose prompt it answered); undefined for steps that do
 * not write and wait.
 */
export function latencyKey(step: Pick<StepResult, 'kind' | 'sent'>, lastCommand: string | undefined): string | undefined {
  if (step.kind === 'send') return commandKey(step.sent)
  if (step.kind === 'payload') return lastCommand ? `payload after ${lastCommand}` : 'payload'
  if (step.kind === 'write') return 'write'
  return undefined
}

/**
 * Latency per command over the runs given (every scenario, every `--repeat`), in alphabetical
 * order. Percentiles by the nearest-rank method: p90 of 10 answers is the 9th fastest, so every
 * figure is one that was measured.
 */
export function commandLatencies(runs: Iterable<RunResult>): CommandLatency[] {
  const results = new Map<string, number[]>()
  const firstBytes = new Map<string, number[]>()
  for (const run of runs) {
    let lastCommand: string | undefined
    for (const step of [...run.steps, ...run.teardown]) {
      const key = latencyKey(step, lastCommand)
      if (step.kind === 'send' && key) lastCommand = key
      const l = step.latency
      if (!key || l?.resultMs === undefined) continue
      push(results, key, l.resultMs)
      if (l.firstByteMs !== undefined) push(firstBytes, key, l.firstByteMs)
    }
  }
  return [...results.keys()].sort().map((command) => {
    const samples = results.get(command)!.sort((a, b) => a - b)
    const first = firstBytes.get(command)?.sort((a, b) => a - b)
    return { command, count: samples.length, resultMs: figures(samples), ...(first ? { firstByteMs: figures(first) } : {}), samples }
  })
}

/** p50, p90, p99 and max of sorted values (at least one). */
export function figures(sorted: readonly number[]): Figures {
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]! }
}

/** Nearest rank: the smallest value with at least p% of the values at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]!
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
