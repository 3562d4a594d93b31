import { describe, expect, it } from 'vitest'
import { endOfRunText } from '../../src/report/end-of-run.ts'
import { commandLatencies, percentile } from '../../src/report/latency-stats.ts'
import { prerequisite, runResult, span, step } from './builders.ts'

const answered = (sent: string, resultMs: number, firstByteMs?: number, kind: 'send' | 'payload' = 'send') =>
  step({ kind, sent, latency: { writtenAt: 1, resultMs, ...(firstByteMs !== undefined ? { firstByteMs } : {}) } })

describe('latency per command', () => {
  it('percentiles by nearest rank: each figure was measured', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    expect([percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99), percentile(sorted, 100)]).toEqual([5, 9, 10, 10])
    expect(percentile([7], 50)).toBe(7)
  })

  it('groups answers by command over every run; a query apart from a set; a payload under the command before it', () => {
    const run1 = runResult({
      steps: [answered('AT+CWJAP="lab","***"', 2000, 1), answered('AT+CWJAP?', 3, 1), answered('AT+WSSEND=0,4', 2, 0.5), answered('4 bytes: "test"', 9, undefined, 'payload')],
    })
    const run2 = runResult({ steps: [answered('AT+CWJAP="lab","***"', 1000, 2), step({ sent: 'AT', latency: { writtenAt: 3 } }), step({ kind: 'wait', sent: undefined })] })
    const stats = commandLatencies([run1, run2])
    expect(stats.map((c) => [c.command, c.count])).toEqual([
      ['AT+CWJAP', 2],
      ['AT+CWJAP?', 1],
      ['AT+WSSEND', 1],
      ['payload after AT+WSSEND', 1],
    ])
    expect(stats[0]).toMatchObject({ resultMs: { p50: 1000, p90: 2000, p99: 2000, max: 2000 }, firstByteMs: { p50: 1, max: 2 }, samples: [1000, 2000] })
    expect(stats[3]!.firstByteMs).toBeUndefined()
  })
})

describe('the end of a run', () => {
  it('lists what failed at file:line:col with its name and reason; optional failures are no failures', () => {
    const failed = runResult({
      status: 'failed',
      prerequisites: [prerequisite({ status: 'failed', message: 'port 8765 never opened', span: span(8) })],
      steps: [
        step(),
        step({ index: 1, name: 'Join', span: span(6), status: 'failed', failure: { reason: 'over-budget', message: 'took 412 ms' } }),
        step({ index: 2, name: 'Maybe', optional: true, status: 'errored', failure: { reason: 'timeout', message: 'timed out' } }),
      ],
    })
    expect(endOfRunText({ scenarios: [{ result: failed }] })).toBe(
      ['Failed (2):', '  scenarios/demo.yaml:8:5  prerequisite Echo server  — prerequisite-failed: port 8765 never opened', '  scenarios/demo.yaml:6:5  Join  — over-budget: took 412 ms'].join('\n'),
    )
  })

  it('with several scenarios, a line each first; nothing for one that passed', () => {
    expect(endOfRunText({ scenarios: [{ result: runResult() }] })).toBe('')
    const text = endOfRunText({
      scenarios: [
        { result: runResult({ repeat: { index: 1, of: 2 } }) },
        { result: runResult({ repeat: { index: 2, of: 2 }, status: 'failed', steps: [step({ status: 'failed', failure: { reason: 'unexpected-result', message: 'ERROR' } })] }) },
      ],
    })
    expect(text).toBe(
      [
        'Scenarios:',
        '  PASSED scenarios/demo.yaml [run 1/2]: 1 passed in 0.25s',
        '  FAILED scenarios/demo.yaml [run 2/2]: 0 passed, 1 failed in 0.25s',
        '',
        'Failed (1):',
        '  scenarios/demo.yaml:4:5  Set Wi-Fi mode to station (run 2/2)  — unexpected-result: ERROR',
      ].join('\n'),
    )
  })

  it('escapes what a device could have put in a name or a message', () => {
    const text = endOfRunText({ scenarios: [{ result: runResult({ status: 'failed', steps: [step({ name: 'x\u001b[2J', status: 'failed', failure: { reason: 'unexpected-result', message: 'the device answered `\u001b]0;pwned\u0007`' } })] }) }] })
    expect(text).not.toContain('\u001b')
    expect(text).toContain('x\\x1b[2J')
  })
})
