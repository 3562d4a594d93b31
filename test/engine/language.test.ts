import { describe, expect, it } from 'vitest'
import { finish, scenario, start, useEngineHarness, writesOf } from './harness.ts'

/** The step forms of issue 13 §4 and §5, in process on the simulator, in virtual time. */
useEngineHarness()

describe('write', () => {
  it('+++ alone gets 50 ms of quiet before and 1 s after, before the next step', async () => {
    // (In command mode the device would take `+++` as the start of a line: only the timing is tested here.)
    const r = await start(
      scenario(`name: Leave passthrough
steps:
  - send: AT
  - write: "+++"
  - sleep: 1ms
`),
    )
    const result = await finish(r)
    expect(result.status).toBe('passed')
    const writes = writesOf(r.events)
    expect(writes.map((w) => w.text)).toEqual(['AT\r\n', '+++'])
    // One write of the three bytes, at least 50 ms after the AT before; the step lasts the 1 s after it too.
    expect(writes[1]!.at - writes[0]!.at).toBeGreaterThanOrEqual(50)
    const step = result.steps[1]!
    expect(step).toMatchObject({ kind: 'write', status: 'passed', sent: '"+++" (3 bytes)' })
    expect(step.durationMs).toBeGreaterThanOrEqual(1050)
  })

  it('gap writes the bytes one at a time, that far apart', async () => {
    const r = await start(
      scenario(`name: Slow bytes
steps:
  - write: "abc"
    gap: 20ms
`),
    )
    await finish(r)
    const writes = writesOf(r.events)
    expect(writes.map((w) => w.text)).toEqual(['a', 'b', 'c'])
    expect(writes[2]!.at - writes[0]!.at).toBeGreaterThanOrEqual(40)
  })
})

describe('expect: [] and poll', () => {
  it('expect: [] writes and passes at once; the answer stays for a later wait', async () => {
    const r = await start(
      scenario(`name: Fire and forget
steps:
  - send: AT+CWMODE=1
  - send: AT+CWJAP="espressif","1234567890"
    expect: []
  - wait: [WIFI CONNECTED, WIFI GOT IP, OK]
    timeout: 5s
`),
    )
    const result = await finish(r)
    expect(result.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'passed'])
    // It did not wait for the join (150 ms on the default router).
    expect(result.steps[1]!.durationMs).toBeLessThan(100)
  })

  it('poll writes again while the device answers busy p..., until the join ends', async () => {
    const r = await start(
      scenario(`name: Poll
steps:
  - send: AT+CWMODE=1
  - send: AT+CWJAP="espressif","1234567890"
    expect: []
  - send: AT
    expect: [WIFI GOT IP, OK]
    poll: { every: 40ms }
    timeout: 5s
`),
    )
    const result = await finish(r)
    expect(result.status).toBe('passed')
    // A passed step's lines are in its step:end event (the run keeps passed steps compact).
    const polled = r.events.flatMap((e) => (e.type === 'step:end' && e.result.index === 2 ? [e.result] : []))[0]!
    expect(result.steps[2]!.lines).toBeUndefined()
    expect(polled.lines!.filter((l) => l.text === 'busy p...').length).toBeGreaterThan(1)
    expect(writesOf(r.events).filter((w) => w.text === 'AT\r\n').length).toBeGreaterThan(2)
  })
})

describe('timeouts', () => {
  it('a timeout from a variable, and --timeout-scale', async () => {
    const r = await start(
      scenario(`name: Variable timeout
vars:
  t: 300ms
steps:
  - wait: never
    timeout: \${t}
`),
      { timeoutScale: 2 },
    )
    const result = await finish(r)
    expect(result.steps[0]!.failure?.message).toBe('timed out after 600 ms waiting for `never`')
  })

  it('a variable that is no duration errors the step, saying what it was', async () => {
    const r = await start(
      scenario(`name: Bad timeout
vars:
  t: soon
steps:
  - wait: never
    timeout: \${t}
`),
    )
    const result = await finish(r)
    expect(result.steps[0]).toMatchObject({ status: 'errored', failure: { reason: 'bad-timeout', message: '`timeout: ${t}` is `soon`, not a duration (250ms, 5s, 2m or milliseconds)' } })
  })
})

describe('repeat', () => {
  it('runs the block N times; each step says its iteration; a failure names the iteration', async () => {
    const r = await start(
      scenario(`name: Soak
vars:
  last: "3"
steps:
  - repeat: 3
    steps:
      - name: Ping
        send: AT
      - name: Mode query
        send: AT+CWMODE?
        expect: ['/^\\+CWMODE:/', OK]
`),
    )
    const result = await finish(r)
    expect(result.steps.map((s) => s.name)).toEqual(['Ping [1/3]', 'Mode query [1/3]', 'Ping [2/3]', 'Mode query [2/3]', 'Ping [3/3]', 'Mode query [3/3]'])
    expect(result.steps.map((s) => s.iteration)).toEqual(['1/3', '1/3', '2/3', '2/3', '3/3', '3/3'])
    expect(result.steps.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5])
  })
})
