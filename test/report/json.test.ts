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
        prerequisites: [prerequisite({ exitCode: 0, signal: 'SIGTERM' })],
        steps: [
          step({ captures: { device: 'AT version:2.4.0.0' }, doc: 'https://docs.example/at#cwmode' }),
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
      format: 1,
      complete: false,
      // --bail's not-run scenario does not make the run "not run": the failure before it does.
      status: 'failed',
      summary: { scenarios: 2, passed: 0, failed: 1, 'not-run': 1, interrupted: 0 },
      scenarios: [{ transcript: 'reports/demo.transcript.txt', device: 'AT version:2.4.0.0' }, { notRun: { reason: 'bail' } }],
    })
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
