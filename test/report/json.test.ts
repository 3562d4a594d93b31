import { describe, expect, it } from 'vitest'
import { serializeJsonReport, toJsonReport } from '../../src/report/json.ts'
import type { RunReport } from '../../src/report/run-report.ts'
import { checkResultJson } from './checks.ts'
import { prerequisite, runResult, step } from './builders.ts'

const full: RunReport = {
  startedAt: '2026-01-02T03:04:05.000Z',
  durationMs: 1234.56789,
  complete: false,
  scenarios: [
    {
      result: runResult({
        status: 'failed',
        repeat: { index: 1, of: 2 },
        prerequisites: [prerequisite({ exitCode: 0, signal: 'SIGTERM' })],
        steps: [
          step({ captures: { device: 'AT version:2.4.0.0' }, doc: 'https://docs.example/at#cwmode', latency: { writtenAt: 10.5, firstByteMs: 1.5, resultMs: 2.5 }, budgetMs: 300 }),
          step({
            index: 2,
            status: 'failed',
            latency: { writtenAt: 20, firstByteMs: 0.5, resultMs: 412.25 },
            budgetMs: 300,
            failure: { reason: 'over-budget', message: "the answer to `AT+CWMODE` took 412.3 ms, over the step's budget of 300 ms" },
          }),
          step({
            index: 1,
            status: 'errored',
            attempts: 3,
            earlierFailures: [{ reason: 'timeout', message: 'timed out', waitingFor: 'OK' }],
            failure: { reason: 'prerequisite-exited', message: 'prerequisite `Echo server` exited', prerequisite: { name: 'Echo server', exitCode: 3, outputTail: ['boom'] } },
          }),
        ],
        teardown: [step({ phase: 'teardown', kind: 'sleep', expected: [], lines: [] })],
      }),
      transcript: 'reports/demo.transcript.txt',
      device: 'AT version:2.4.0.0',
    },
    { result: runResult({ status: 'not-run', steps: [step({ status: 'skipped' })] }), notRun: { reason: 'bail', message: '--bail: an earlier scenario did not pass' } },
  ],
}

describe('the JSON report', () => {
  it('validates against schema/result.schema.json, with every optional field present', () => {
    const data: unknown = JSON.parse(serializeJsonReport(toJsonReport(full, '1.2.3')))
    const check = checkResultJson(data)
    expect(check.errors).toBe('[]')
    expect(data).toMatchObject({
      tool: 'at-scenario',
      version: '1.2.3',
      format: 2,
      complete: false,
      // --bail's not-run scenario does not make the run "not run": the failure before it does.
      status: 'failed',
      summary: { scenarios: 2, passed: 0, failed: 1, 'not-run': 1, interrupted: 0 },
      latency: { commands: [{ command: 'AT+CWMODE', count: 2, resultMs: { p50: 2.5, p90: 412.25, p99: 412.25, max: 412.25 }, firstByteMs: { p50: 0.5, p90: 1.5, p99: 1.5, max: 1.5 } }] },
      scenarios: [{ transcript: 'reports/demo.transcript.txt', device: 'AT version:2.4.0.0' }, { notRun: { reason: 'bail' } }],
    })
  })

  it('format 2: a passed or skipped step may come without lines; a latency with no answer has only its write', () => {
    const { lines: _, ...passed } = step()
    const compact: RunReport = { ...full, scenarios: [{ result: runResult({ steps: [passed, { ...passed, index: 1, latency: { writtenAt: 3 } }] }) }] }
    expect(checkResultJson(JSON.parse(serializeJsonReport(toJsonReport(compact, '1.2.3')))).errors).toBe('[]')
  })

  it('the schema rejects what the report must not contain (it can fail)', () => {
    const data = JSON.parse(serializeJsonReport(toJsonReport(full, '1.2.3'))) as { scenarios: { status: string; extra?: boolean }[] }
    data.scenarios[0]!.status = 'green'
    data.scenarios[1]!.extra = true
    const check = checkResultJson(data)
    expect(check.valid).toBe(false)
    expect(check.errors).toContain('/scenarios/0/status')
    expect(check.errors).toContain('additionalProperties')
  })

  it('rounds times to microseconds', () => {
    expect(serializeJsonReport(toJsonReport(full, '1.2.3'))).toContain('"durationMs": 1234.568,')
  })
})
