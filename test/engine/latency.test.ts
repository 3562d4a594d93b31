import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { EngineEvent } from '../../src/engine/events.ts'
import { commandKey } from '../../src/engine/latency.ts'
import type { RunResult, StepResult } from '../../src/engine/result.ts'
import { runScenario } from '../../src/engine/run-scenario.ts'
import type { OpenLink } from '../../src/link/stream-link.ts'
import { simulatorTarget } from '../../src/targets/index.ts'
import { advance, scenario } from './harness.ts'

/**
 * Latency and budgets on the simulator with a profile whose device takes 400 ms to start on every
 * command (faults.commandLatency), in virtual time: the figures are exact, whatever the machine.
 */
const SLOW = fileURLToPath(new URL('../fixtures/budget/slow-device.yaml', import.meta.url))

let link: OpenLink | undefined
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] })
})
afterEach(async () => {
  vi.useRealTimers()
  await link?.close()
  link = undefined
})

async function run(yaml: string, profile: string | undefined = SLOW): Promise<{ result: RunResult; ended: StepResult[] }> {
  link = await simulatorTarget(profile).open()
  const events: EngineEvent[] = []
  let result: RunResult | undefined
  void runScenario(scenario(yaml), {
    link,
    variables: { cliVars: new Map(), env: {}, hostIp: '127.0.0.1', onSimulator: true },
    env: {},
    onEvent: (e) => events.push(e),
  }).then((r) => (result = r))
  await advance(() => result !== undefined)
  return { result: result!, ended: events.flatMap((e) => (e.type === 'step:end' ? [e.result] : [])) }
}

describe('latency of a step', () => {
  it('times the write, the first byte after it and the deciding line', async () => {
    const { result } = await run(`name: t
steps:
  - send: AT+CWMODE=1
  - send: AT+CWMODE?
    expect: ["+CWMODE:1", OK]
`)
    expect(result.status).toBe('passed')
    for (const s of result.steps) {
      const l = s.latency!
      expect(l.writtenAt).toBeGreaterThanOrEqual(s.startedAt)
      // The echo comes at once; the answer after the device's 400 ms.
      expect(l.firstByteMs).toBeLessThan(50)
      expect(l.resultMs).toBeGreaterThanOrEqual(400)
      expect(l.resultMs).toBeLessThan(450)
      expect(l.writtenAt + l.resultMs!).toBeLessThanOrEqual(s.startedAt + s.durationMs)
    }
  })

  it('has no deciding line when the step timed out', async () => {
    const { result } = await run(`name: t
steps:
  - send: AT+CWMODE=1
    timeout: 100ms
`)
    expect(result.steps[0]!.failure?.reason).toBe('timeout')
    expect(result.steps[0]!.latency!.firstByteMs).toBeDefined()
    expect(result.steps[0]!.latency!.resultMs).toBeUndefined()
  })

  it('has only the write when the step waits for nothing', async () => {
    const { result } = await run(`name: t
steps:
  - send: AT
    expect: []
`)
    expect(result.steps[0]!.latency).toEqual({ writtenAt: expect.any(Number) as number })
  })

  it('a step that writes nothing has none', async () => {
    const { result } = await run(`name: t
steps:
  - sleep: 10ms
`)
    expect(result.steps[0]!.latency).toBeUndefined()
  })
})

describe('budget', () => {
  it('a right answer later than the budget fails the step as over-budget, all expectations met', async () => {
    const { result, ended } = await run(`name: t
steps:
  - name: Set the mode
    send: AT+CWMODE=1
    budget: 300ms
  - send: AT
`)
    const s = result.steps[0]!
    expect(s.status).toBe('failed')
    expect(s.failure?.reason).toBe('over-budget')
    expect(s.failure?.message).toMatch(/^the answer to `AT\+CWMODE` took 40\d(\.\d)? ms, over the step's budget of 300 ms$/)
    expect(s.matched).toBe(1)
    expect(s.budgetMs).toBe(300)
    // A failed step keeps its lines; the next one was skipped.
    expect(s.lines!.map((l) => l.text).filter((t) => t !== 'ready')).toEqual(['AT+CWMODE=1', 'AT+CWMODE=1', 'OK'])
    expect(result.steps[1]!.status).toBe('skipped')
    expect(ended[0]).toEqual(s)
  })

  it('within the budget it passes; defaults.budget applies to the steps without their own', async () => {
    const { result } = await run(`name: t
defaults:
  budget: 1s
steps:
  - send: AT+CWMODE=1
    budget: 500ms
  - send: AT
  - sleep: 5ms
`)
    expect(result.status).toBe('passed')
    expect(result.steps.map((s) => s.budgetMs)).toEqual([500, 1000, undefined])
  })

  it('is not scaled by --timeout-scale: it measures the device, not how long to wait for it', async () => {
    link = await simulatorTarget(SLOW).open()
    let result: RunResult | undefined
    void runScenario(scenario('name: t\nsteps:\n  - send: AT\n    budget: 300ms\n'), {
      link,
      variables: { cliVars: new Map(), env: {}, hostIp: '127.0.0.1', onSimulator: true },
      env: {},
      timeoutScale: 10,
    }).then((r) => (result = r))
    await advance(() => result !== undefined)
    expect(result!.steps[0]!.failure?.reason).toBe('over-budget')
  })
})

describe('the results a run keeps', () => {
  it('passed steps without their lines, which their step:end event had', async () => {
    const { result, ended } = await run(
      `name: t
steps:
  - send: AT+CWMODE=1
  - send: AT
`,
      undefined,
    )
    expect(result.steps.map((s) => s.lines)).toEqual([undefined, undefined])
    expect(ended[0]!.lines!.map((l) => l.text).filter((t) => t !== 'ready')).toEqual(['AT+CWMODE=1', 'AT+CWMODE=1', 'OK'])
    const { lines: _, ...rest } = ended[0]!
    expect(result.steps[0]).toEqual(rest)
  })
})

describe('commandKey', () => {
  it('names set, query and test forms apart', () => {
    expect(commandKey('AT+CWJAP="lab","***"')).toBe('AT+CWJAP')
    expect(commandKey('AT+CWJAP?')).toBe('AT+CWJAP?')
    expect(commandKey('AT+CWJAP=?')).toBe('AT+CWJAP=?')
    expect(commandKey('at+rst')).toBe('AT+RST')
    expect(commandKey('AT')).toBe('AT')
    expect(commandKey('ATE0')).toBe('ATE0')
    expect(commandKey('+++')).toBeUndefined()
  })
})
