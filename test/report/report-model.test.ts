import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { deviceOf, SIMULATOR_DEVICE } from '../../src/report/device.ts'
import { describeScenarioFailures, runSummaryLine } from '../../src/report/failure-text.ts'
import { displayPath, TranscriptNames, writeFileAtomic } from '../../src/report/report-files.ts'
import { overallStatus } from '../../src/report/run-report.ts'
import { escapeXml, renderXml } from '../../src/report/xml.ts'
import { prerequisite, runResult, sources, step } from './builders.ts'

describe('the device property', () => {
  const gmr = step({
    sent: 'AT+GMR',
    lines: [
      { at: 1, dir: 'tx', kind: 'command', text: 'AT+GMR' },
      { at: 2, dir: 'rx', kind: 'echo', text: 'AT+GMR' },
      { at: 3, dir: 'rx', kind: 'info', text: 'AT version:2.4.0.0(4c6eb5e - ESP32 - May 20 2022 03:12:58)' },
      { at: 3, dir: 'rx', kind: 'info', text: 'SDK version:v4.4-dev' },
      { at: 4, dir: 'rx', kind: 'final-success', text: 'OK' },
    ],
  })

  it('a capture named device wins, then the first line of AT+GMR, then the simulator', () => {
    expect(deviceOf(runResult({ steps: [gmr, step({ captures: { device: 'ESP32-C3 lab board 7' } })] }), false)).toBe('ESP32-C3 lab board 7')
    expect(deviceOf(runResult({ steps: [step(), gmr] }), true)).toBe('AT version:2.4.0.0(4c6eb5e - ESP32 - May 20 2022 03:12:58)')
    expect(deviceOf(runResult(), true)).toBe(SIMULATOR_DEVICE)
    expect(deviceOf(runResult(), false)).toBeUndefined()
  })
})

describe('the run verdict', () => {
  const entry = (status: 'passed' | 'failed' | 'not-run' | 'interrupted', bail = false) => ({
    result: runResult({ status }),
    ...(bail ? { notRun: { reason: 'bail' as const, message: '--bail' } } : {}),
  })

  it('interrupted beats not-run beats failed beats passed; --bail leftovers do not count', () => {
    expect(overallStatus({ scenarios: [entry('passed'), entry('failed')] })).toBe('failed')
    expect(overallStatus({ scenarios: [entry('failed'), entry('not-run', true)] })).toBe('failed')
    expect(overallStatus({ scenarios: [entry('failed'), entry('not-run')] })).toBe('not-run')
    expect(overallStatus({ scenarios: [entry('not-run'), entry('interrupted')] })).toBe('interrupted')
    expect(overallStatus({ scenarios: [] })).toBe('passed')
  })

  it('the summary of several scenarios counts them by outcome', () => {
    const report = { startedAt: '', durationMs: 2500, complete: true, scenarios: [entry('passed'), entry('failed'), entry('not-run', true)] }
    expect(runSummaryLine(report)).toBe('FAILED 3 scenarios: 1 passed, 1 failed, 1 not run (--bail) in 2.50s')
  })
})

describe('failure details of a scenario', () => {
  it('explain each failed prerequisite and step, and end with where the transcript is', () => {
    const result = runResult({
      status: 'failed',
      prerequisites: [prerequisite({ status: 'failed', message: 'exited with code 1 before it was ready', hint: 'apt-get install python3-websockets', outputTail: ['ModuleNotFoundError'] })],
      steps: [step(), step({ status: 'errored', failure: { reason: 'timeout', message: 'timed out after 5000 ms waiting for `OK`' } })],
    })
    const blocks = describeScenarioFailures({ result, transcript: 'reports/demo.transcript.txt' }, { sources })
    expect(blocks).toHaveLength(3)
    expect(blocks[0]).toContain('error[prerequisite-failed]: prerequisite "Echo server" did not start: exited with code 1 before it was ready')
    expect(blocks[0]).toContain('hint: apt-get install python3-websockets')
    expect(blocks[1]).toContain('error[timeout]: step "Set Wi-Fi mode to station" errored: timed out after 5000 ms waiting for `OK`')
    expect(blocks[1]).toContain(' --> scenarios/demo.yaml:4:5')
    expect(blocks[2]).toBe('transcript: reports/demo.transcript.txt')
  })

  it('are empty for a scenario that passed', () => {
    expect(describeScenarioFailures({ result: runResult(), transcript: 'reports/demo.transcript.txt' }, { sources })).toEqual([])
  })
})

describe('report files', () => {
  it('transcripts are named after the scenario file, numbered when two files share a name', () => {
    const names = new TranscriptNames()
    expect(names.next('scenarios/tcp-echo.yaml')).toBe('tcp-echo.transcript.txt')
    expect(names.next('other/tcp-echo.yaml')).toBe('tcp-echo-2.transcript.txt')
    expect(names.next('tcp-echo.yml')).toBe('tcp-echo-3.transcript.txt')
  })

  it('paths inside the working directory are shown relative to it', () => {
    expect(displayPath('/work/repo/reports/a.txt', '/work/repo')).toBe('reports/a.txt')
    expect(displayPath('/tmp/reports/a.txt', '/work/repo')).toBe('/tmp/reports/a.txt')
  })

  it('a report file is replaced whole, with no temporary file left behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'at-scenario-atomic-'))
    try {
      writeFileAtomic(join(dir, 'junit.xml'), 'first')
      writeFileAtomic(join(dir, 'junit.xml'), 'second')
      expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toBe('second')
      expect(readdirSync(dir)).toEqual(['junit.xml'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('XML', () => {
  it('escapes markup and replaces characters XML 1.0 forbids', () => {
    expect(escapeXml('<a href="x">&\u0000\u001b\ufffe</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;\\x00\\x1b\\xfffe&lt;/a&gt;')
    expect(renderXml({ name: 'p', attrs: { v: 'two\nlines', skip: undefined }, children: [] })).toBe('<p v="two&#10;lines"/>')
  })
})
