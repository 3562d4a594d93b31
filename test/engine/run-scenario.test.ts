import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { EngineEvent } from '../../src/engine/events.ts'
import type { RunningPrerequisite } from '../../src/engine/prerequisites.ts'
import type { RunResult } from '../../src/engine/result.ts'
import { runScenario } from '../../src/engine/run-scenario.ts'
import type { RunOptions } from '../../src/engine/run-scenario.ts'
import { simulatorTarget } from '../../src/targets/index.ts'
import type { OpenLink } from '../../src/link/stream-link.ts'
import { parseScenario } from '../../src/source/load.ts'
import type { Scenario } from '../../src/source/types.ts'

/**
 * The engine in process, on the simulator below serialport, with fake timers: retries, their
 * delays, optional steps, prerequisites that exit mid-step, and the two levels of Ctrl-C. Time is
 * virtual, so a 2 s retry delay costs nothing and its length can be asserted exactly.
 */

function scenario(yaml: string): Scenario {
  const loaded = parseScenario('test.yaml', yaml, { cliVars: new Map(), env: {}, cwd: process.cwd() })
  if (!loaded.scenario) throw new Error(loaded.diagnostics.map((d) => `${d.message} at ${d.span?.start.line ?? "?"}`).join('; '))
  return loaded.scenario
}

interface Running {
  done: Promise<RunResult>
  events: EngineEvent[]
  /** Ctrl-C once, and twice. */
  soft: AbortController
  hard: AbortController
  processes: Set<RunningPrerequisite>
}

let link: OpenLink | undefined

async function start(s: Scenario, extra: Partial<RunOptions> = {}): Promise<Running> {
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
async function advance(until: () => boolean, limitMs = 120_000): Promise<void> {
  for (let t = 0; t < limitMs && !until(); t += 10) await vi.advanceTimersByTimeAsync(10)
  if (!until()) throw new Error(`not reached within ${limitMs} ms of virtual time`)
}

async function finish(r: Running): Promise<RunResult> {
  let settled: RunResult | undefined
  void r.done.then((res) => (settled = res))
  await advance(() => settled !== undefined)
  return settled!
}

const writesOf = (events: EngineEvent[]) =>
  events.flatMap((e) => (e.type === 'io' && e.dir === 'tx' ? [{ at: e.at, text: e.segments.map((s) => ('bytes' in s ? s.bytes.toString() : '***')).join('') }] : []))

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] })
})

afterEach(async () => {
  vi.useRealTimers()
  await link?.close()
  link = undefined
})

describe('retry', () => {
  const RETRIED = `name: Retry
steps:
  - name: An unknown command
    send: AT+NOSUCH
    retry: { times: 2, delay: 2s }
  - send: AT
`

  it('runs a failing step 1 + times, the delay apart, and keeps every earlier failure', async () => {
    const r = await start(scenario(RETRIED))
    const result = await finish(r)
    const step = result.steps[0]!
    expect(step.status).toBe('failed')
    expect(step.attempts).toBe(3)
    expect(step.earlierFailures?.map((f) => f.reason)).toEqual(['unexpected-result', 'unexpected-result'])
    expect(r.events.filter((e) => e.type === 'step:retry').map((e) => (e as { attempt: number }).attempt)).toEqual([2, 3])
    // Three writes of the command, each 2 s (virtual) after the previous answer.
    const writes = writesOf(r.events).filter((w) => w.text === 'AT+NOSUCH\r\n')
    expect(writes).toHaveLength(3)
    for (let i = 1; i < writes.length; i++) {
      const gap = writes[i]!.at - writes[i - 1]!.at
      expect(gap).toBeGreaterThanOrEqual(2000)
      expect(gap).toBeLessThan(2100)
    }
    // The scenario stops at the failed step; the next one is skipped.
    expect(result.steps[1]!.status).toBe('skipped')
    expect(result.status).toBe('failed')
  })

  it('a step that passes on a later attempt passes, with its earlier failures kept', async () => {
    // SNTP syncs 1 s after AT+CIPSNTPCFG: a 300 ms wait for it times out until then.
    const r = await start(
      scenario(`name: Pass on retry
steps:
  - send: AT+CWMODE=1
  - send: AT+CWJAP="espressif","1234567890"
    expect: [WIFI CONNECTED, WIFI GOT IP, OK]
  - send: AT+CIPSNTPCFG=1,8,"pool.ntp.org"
  - name: Wait for the time
    wait: "+TIME_UPDATED"
    timeout: 300ms
    retry: { times: 5, delay: 100ms }
`),
    )
    const result = await finish(r)
    const step = result.steps[3]!
    expect(step.status).toBe('passed')
    expect(step.attempts).toBe(3)
    expect(step.earlierFailures?.map((f) => f.reason)).toEqual(['timeout', 'timeout'])
    expect(result.status).toBe('passed')
  })

  it('Ctrl-C during the retry delay stops at once: the step errors as interrupted, its failures so far kept, teardown runs', async () => {
    const r = await start(
      scenario(`${RETRIED}teardown:
  - name: Clean up
    send: AT
`),
    )
    await advance(() => r.events.some((e) => e.type === 'step:retry'))
    const abortedAt = performance.now()
    r.soft.abort()
    const result = await finish(r)
    const step = result.steps[0]!
    expect(step.status).toBe('errored')
    expect(step.failure?.reason).toBe('interrupted')
    expect(step.attempts).toBe(1)
    expect(step.earlierFailures).toHaveLength(1)
    // It did not sit out the 2 s delay.
    expect(performance.now() - abortedAt).toBeLessThan(1000)
    expect(result.teardown[0]!.status).toBe('passed')
    expect(result.status).toBe('interrupted')
  })
})

describe('optional steps', () => {
  it('a failing optional step is reported failed, and the scenario goes on and passes', async () => {
    const r = await start(
      scenario(`name: Optional
steps:
  - name: Maybe supported
    send: AT+NOSUCH
    optional: true
  - name: Next
    send: AT
`),
    )
    const result = await finish(r)
    expect(result.steps.map((s) => [s.name, s.status, s.optional])).toEqual([
      ['Maybe supported', 'failed', true],
      ['Next', 'passed', false],
    ])
    expect(result.status).toBe('passed')
  })
})

describe('prerequisites', () => {
  it('one that exits while a step waits errors that step at once, naming it with its exit code and output', async () => {
    const r = await start(
      scenario(`name: Server dies
prerequisites:
  - name: Short-lived server
    run: [node, -e, "console.log('serving'); setTimeout(() => { console.error('out of memory'); process.exit(3) }, 300)"]
steps:
  - name: Wait for news
    wait: "+WS_DATA:0,4,test"
    timeout: 10m
`),
    )
    // The child runs in real time; virtual time only moves when we let it.
    const result = await finishRealtime(r)
    const step = result.steps[0]!
    expect(step.status).toBe('errored')
    expect(step.failure?.reason).toBe('prerequisite-exited')
    expect(step.failure?.message).toBe('prerequisite `Short-lived server` exited with code 3 while the scenario ran')
    expect(step.failure?.prerequisite?.outputTail.join('\n')).toContain('out of memory')
    expect(r.processes.size).toBe(0)
  })

  it('one that does not get ready: every step and the teardown are skipped, the run is not-run', async () => {
    const r = await start(
      scenario(`name: Never ready
prerequisites:
  - name: Exits at once
    run: [node, -e, "process.exit(1)"]
    ready: { port: 1, timeout: 2s }
steps:
  - send: AT
teardown:
  - send: AT
`),
    )
    const result = await finishRealtime(r)
    expect(result.prerequisites[0]!.status).toBe('failed')
    expect(result.steps[0]!.status).toBe('skipped')
    expect(result.teardown[0]!.status).toBe('skipped')
    expect(result.status).toBe('not-run')
  })
})

describe('Ctrl-C twice', () => {
  it('the first stops the step and runs teardown; the second cuts the teardown short and kills the prerequisites', async () => {
    const r = await start(
      scenario(`name: Stubborn
prerequisites:
  - name: A server that ignores SIGTERM
    run: [node, -e, "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)"]
    ready: { stdout: /up/, timeout: 5s }
steps:
  - name: Wait
    wait: never
    timeout: 10m
teardown:
  - name: A slow teardown
    wait: also never
    timeout: 10m
`),
    )
    await advanceRealtime(() => r.events.some((e) => e.type === 'step:start' && e.phase === 'steps'))
    r.soft.abort()
    await advance(() => r.events.some((e) => e.type === 'step:start' && e.phase === 'teardown'))
    r.hard.abort()
    const result = await finishRealtime(r)
    expect(result.steps[0]!.failure?.reason).toBe('interrupted')
    expect(result.teardown[0]!.status).toBe('errored')
    expect(result.teardown[0]!.failure?.message).toBe('interrupted again during teardown')
    expect(result.prerequisites[0]!.signal).toBe('SIGKILL')
    expect(r.processes.size).toBe(0)
    expect(result.status).toBe('interrupted')
  })
})

/** As `advance`, but real time passes too (for child processes), a little per virtual step. */
async function advanceRealtime(until: () => boolean, limitMs = 20_000): Promise<void> {
  const started = process.hrtime.bigint()
  while (!until()) {
    await vi.advanceTimersByTimeAsync(10)
    // Real time for the child processes: fake timers do not cover their I/O.
    await realSleep(2)
    if (Number(process.hrtime.bigint() - started) / 1e6 > limitMs) throw new Error(`not reached within ${limitMs} ms of real time`)
  }
}

async function finishRealtime(r: Running): Promise<RunResult> {
  let settled: RunResult | undefined
  void r.done.then((res) => (settled = res))
  await advanceRealtime(() => settled !== undefined)
  return settled!
}

const realSetTimeout = globalThis.setTimeout
function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms))
}
