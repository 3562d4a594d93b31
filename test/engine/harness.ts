import { afterEach, beforeEach, vi } from 'vitest'
import type { EngineEvent } from '../../src/engine/events.ts'
import type { RunningPrerequisite } from '../../src/engine/prerequisites.ts'
import type { RunResult } from '../../src/engine/result.ts'
import { runScenario } from '../../src/engine/run-scenario.ts'
import type { RunOptions } from '../../src/engine/run-scenario.ts'
import type { OpenLink } from '../../src/link/stream-link.ts'
import { parseScenario } from '../../src/source/load.ts'
import type { Scenario } from '../../src/source/types.ts'
import { simulatorTarget } from '../../src/targets/index.ts'

/**
 * The engine in process, on the simulator below serialport, with fake timers: time is virtual, so
 * a 2 s delay costs nothing and its length can be asserted exactly. `useEngineHarness()` installs
 * the timers and closes the link after each test.
 */

export function scenario(yaml: string): Scenario {
  const loaded = parseScenario('test.yaml', yaml, { cliVars: new Map(), env: {}, cwd: process.cwd() })
  if (!loaded.scenario) throw new Error(loaded.diagnostics.map((d) => `${d.message} at ${d.span?.start.line ?? "?"}`).join('; '))
  return loaded.scenario
}

export interface Running {
  done: Promise<RunResult>
  events: EngineEvent[]
  /** Ctrl-C once, and twice. */
  soft: AbortController
  hard: AbortController
  processes: Set<RunningPrerequisite>
}

let link: OpenLink | undefined

export async function start(s: Scenario, extra: Partial<RunOptions> = {}): Promise<Running> {
  const opened = await simulatorTarget().open()
  link = opened
  const events: EngineEvent[] = []
  const soft = new AbortController()
  const hard = new AbortController()
  const processes = new Set<RunningPrerequisite>()
  const done = runScenario(s, {
    link: opened,
    variables: { cliVars: new Map(), env: {}, hostIp: '127.0.0.1', onSimulator: true },
    env: { PATH: process.env.PATH },
    signal: soft.signal,
    hardSignal: hard.signal,
    processes,
    onEvent: (e) => events.push(e),
    ...extra,
  })
  return { done, events, soft, hard, processes }
}

/** Lets virtual time pass, 10 ms at a time, until `until` is true (or the promise settled). */
export async function advance(until: () => boolean, limitMs = 120_000): Promise<void> {
  for (let t = 0; t < limitMs && !until(); t += 10) await vi.advanceTimersByTimeAsync(10)
  if (!until()) throw new Error(`not reached within ${limitMs} ms of virtual time`)
}

export async function finish(r: Running): Promise<RunResult> {
  let settled: RunResult | undefined
  void r.done.then((res) => (settled = res))
  await advance(() => settled !== undefined)
  return settled!
}

export const writesOf = (events: EngineEvent[]) =>
  events.flatMap((e) => (e.type === 'io' && e.dir === 'tx' ? [{ at: e.at, text: e.segments.map((s) => ('bytes' in s ? s.bytes.toString() : '***')).join('') }] : []))

export function useEngineHarness(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] })
  })
  afterEach(async () => {
    vi.useRealTimers()
    await link?.close()
    link = undefined
  })
}

/** As `advance`, but real time passes too (for child processes), a little per virtual step. */
export async function advanceRealtime(until: () => boolean, limitMs = 20_000): Promise<void> {
  const started = process.hrtime.bigint()
  while (!until()) {
    await vi.advanceTimersByTimeAsync(10)
    // Real time for the child processes: fake timers do not cover their I/O.
    await realSleep(2)
    if (Number(process.hrtime.bigint() - started) / 1e6 > limitMs) throw new Error(`not reached within ${limitMs} ms of real time`)
  }
}

export async function finishRealtime(r: Running): Promise<RunResult> {
  let settled: RunResult | undefined
  void r.done.then((res) => (settled = res))
  await advanceRealtime(() => settled !== undefined)
  return settled!
}

const realSetTimeout = globalThis.setTimeout
function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms))
}
