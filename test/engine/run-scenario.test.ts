import { describe, expect, it } from 'vitest'
import { advance, advanceRealtime, finish, finishRealtime, scenario, start, useEngineHarness, writesOf } from './harness.ts'

useEngineHarness()

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

