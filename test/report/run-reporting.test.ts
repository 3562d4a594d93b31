import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { notRunResult } from '../../src/engine/result.ts'
import { ReportSetupError, RunReporting } from '../../src/report/run-reporting.ts'
import type { ReportingOptions } from '../../src/report/run-reporting.ts'
import { loadScenario } from '../../src/source/load.ts'
import type { Scenario } from '../../src/source/types.ts'
import { checkResultJson } from './checks.ts'
import { runResult, sources, step } from './builders.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'at-scenario-reporting-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

async function scenario(file: string): Promise<Scenario> {
  const loaded = await loadScenario(file, { cliVars: new Map(), env: {}, cwd: process.cwd() })
  return loaded.scenario!
}

function options(overrides: Partial<ReportingOptions> = {}) {
  const out = { stdout: '', stderr: '' }
  const o: ReportingOptions = {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
    cwd: dir,
    plain: true,
    color: false,
    sources,
    outputDir: 'reports',
    formats: ['junit', 'json'],
    version: '0.0.0-test',
    ...overrides,
  }
  return { o, out }
}

const readJson = () => JSON.parse(readFileSync(join(dir, 'reports/results.json'), 'utf8')) as { complete: boolean; scenarios: { status: string; notRun?: unknown }[] }

describe('RunReporting', () => {
  it('rewrites JUnit and JSON after each scenario, so that a run stopped half-way still has them', async () => {
    const { o, out } = options()
    const reporting = await RunReporting.start(o)
    const first = await scenario('test/fixtures/report/passes.yaml')
    const target = { description: 'the built-in ESP-AT simulator', onSimulator: true }
    reporting.announce(first, target)
    const running = await reporting.scenarioStarting(first, target)
    running.listener({ type: 'run:start', scenario: { name: 'Device answers', file: first.file }, target: target.description, prerequisites: [], steps: [] })
    running.listener({ type: 'io', dir: 'tx', at: 1, segments: [{ bytes: Buffer.from('AT\r\n') }] })
    const result = runResult({ scenario: { name: 'Device answers', file: first.file }, steps: [step({ name: 'Test AT startup' })] })
    running.listener({ type: 'step:end', result: result.steps[0]! })
    running.listener({ type: 'run:end', result })
    expect(existsSync(join(dir, 'reports/junit.xml'))).toBe(false)
    await running.end(result)

    // After the first scenario: both files, marked as not complete yet.
    expect(readFileSync(join(dir, 'reports/junit.xml'), 'utf8')).toContain('<testsuite name="Device answers"')
    expect(readJson()).toMatchObject({ complete: false, scenarios: [{ status: 'passed' }] })
    expect(readFileSync(join(dir, 'reports/passes.transcript.txt'), 'utf8')).toContain('->  "AT\\r\\n"')

    const notRun = { reason: 'interrupted' as const, message: 'the run was interrupted' }
    const failing = await scenario('test/fixtures/report/fails.yaml')
    reporting.scenarioNotRun(failing, notRunResult(failing, target.description, notRun), notRun)
    expect(readJson().scenarios).toHaveLength(2)

    reporting.finish()
    const final = readJson()
    expect(final.complete).toBe(true)
    expect(checkResultJson(final).valid).toBe(true)
    expect(out.stdout).toBe(
      [
        'test/fixtures/report/passes.yaml: running on the built-in ESP-AT simulator (no --port given)',
        '✔ Test AT startup (3 ms)',
        '',
        'PASSED test/fixtures/report/passes.yaml: 1 passed in 0.25s',
        '',
        'test/fixtures/report/fails.yaml: not run (the run was interrupted)',
        '',
        // The end of the run: a line per scenario, then (nothing failed) the verdict.
        'Scenarios:',
        '  PASSED test/fixtures/report/passes.yaml: 1 passed in 0.25s',
        '  INTERRUPTED test/fixtures/report/fails.yaml: 0 passed, 3 skipped in 0.00s (the run was interrupted)',
        '',
        'INTERRUPTED 2 scenarios: 1 passed, 1 interrupted in ' + out.stdout.match(/in (\d+\.\d\d)s\nWritten/)![1] + 's',
        'Written: reports/passes.transcript.txt, reports/junit.xml, reports/results.json',
        '',
      ].join('\n'),
    )
    expect(out.stderr).toBe('')
  })

  it('an output directory that cannot be created is an error when report files were asked for, a warning otherwise', async () => {
    writeFileSync(join(dir, 'file'), '')
    await expect(RunReporting.start(options({ outputDir: 'file/reports' }).o)).rejects.toThrow(ReportSetupError)

    const { o, out } = options({ outputDir: 'file/reports', formats: [] })
    const reporting = await RunReporting.start(o)
    expect(out.stderr).toContain('at-scenario: cannot create the output directory file/reports: ENOTDIR; no transcript will be written')
    const s = await scenario('test/fixtures/report/passes.yaml')
    const running = await reporting.scenarioStarting(s, { description: 'sim', onSimulator: true })
    await running.end(runResult({ status: 'failed', steps: [step({ status: 'failed', failure: { reason: 'unexpected-result', message: 'ERROR' } })] }))
    reporting.finish()
    expect(out.stderr).not.toContain('transcript:')
    expect(out.stdout).not.toContain('Written:')
  })
})
