import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { toJUnit } from '../../src/report/junit.ts'
import type { RunReport } from '../../src/report/run-report.ts'
import { itWith } from '../helpers/external-material.ts'
import { xmllint } from './checks.ts'
import { junitProblems } from './junit-structure.ts'
import { prerequisite, runResult, sources, span, step } from './builders.ts'

const dir = mkdtempSync(join(tmpdir(), 'at-scenario-junit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function report(scenarios: RunReport['scenarios']): RunReport {
  return { startedAt: '2026-01-02T03:04:05.000Z', durationMs: 1234.5, complete: true, scenarios }
}

const failedStep = step({
  index: 1,
  name: 'Set an impossible mode',
  span: span(6),
  status: 'failed',
  sent: 'AT+CWMODE=9',
  matched: 0,
  failure: { reason: 'unexpected-result', message: 'the device answered `ERROR` while the step waited for `OK`', errCode: '0x01070000' },
  lines: [
    { at: 20, dir: 'tx', kind: 'command', text: 'AT+CWMODE=9' },
    { at: 21, dir: 'rx', kind: 'final-failure', text: 'ERROR' },
  ],
  startedAt: 20,
  durationMs: 1.5,
})

/** A run with every kind of outcome, and device bytes that XML forbids. */
function everyOutcome(): string {
  const timeout = step({ index: 1, name: 'Receive <4> bytes & "more"', status: 'errored', failure: { reason: 'timeout', message: 'timed out after 300 ms waiting for `+WS_DATA:0,4,test`' } })
  const crashed = step({
    index: 2,
    status: 'errored',
    failure: { reason: 'prerequisite-exited', message: 'prerequisite `Echo server` exited with code 3', prerequisite: { name: 'Echo server', exitCode: 3, outputTail: ['boom \u0000\u001b[31m'] } },
  })
  const optional = step({ index: 3, optional: true, status: 'failed', failure: { reason: 'unexpected-result', message: 'the device answered `ERROR`' } })
  const skipped = step({ index: 4, status: 'skipped', lines: [] })
  const noisy = step({ index: 5, lines: [{ at: 1, dir: 'rx', kind: 'info', text: 'garbage \u0001\u0002\ufffe ok' }], status: 'failed', failure: { reason: 'unexpected-result', message: 'the device answered `\u0007`' } })
  return toJUnit(
    report([
      { result: runResult({ status: 'failed', steps: [step(), timeout, crashed, optional, skipped, noisy], teardown: [step({ phase: 'teardown' })] }) },
      { result: runResult({ status: 'not-run', prerequisites: [prerequisite({ status: 'failed', message: 'exited with code 1 before it was ready', hint: 'install it', outputTail: ['ModuleNotFoundError'] })], steps: [skipped] }) },
      { result: runResult({ status: 'not-run', target: '/dev/ttyUSB9 at 115200 baud', steps: [skipped] }), notRun: { reason: 'link-error', message: 'cannot open /dev/ttyUSB9: no such device' } },
      { result: runResult({ status: 'interrupted', steps: [skipped] }), notRun: { reason: 'interrupted', message: 'the run was interrupted' } },
    ]),
    { sources },
  )
}

const empty = () => toJUnit(report([]), { sources })

describe('toJUnit', () => {
  it('a testsuite per scenario with its properties, a testcase per prerequisite and step; an unmet expectation is a <failure>', () => {
    const xml = toJUnit(report([{ result: runResult({ status: 'failed', prerequisites: [prerequisite()], steps: [step(), failedStep] }), device: 'AT version:2.4.0.0', transcript: 'reports/demo.transcript.txt' }]), {
      sources,
      hostname: 'ci-runner',
    })
    expect(xml).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="at-scenario" tests="3" failures="1" errors="0" time="1.234">
  <testsuite name="Demo" tests="3" failures="1" errors="0" skipped="0" time="0.251" timestamp="2026-01-02T03:04:05.678Z" hostname="ci-runner" file="scenarios/demo.yaml">
    <properties>
      <property name="port" value="the built-in ESP-AT simulator"/>
      <property name="device" value="AT version:2.4.0.0"/>
      <property name="doc" value="https://docs.example/at#demo"/>
      <property name="status" value="failed"/>
      <property name="transcript" value="reports/demo.transcript.txt"/>
    </properties>
    <testcase name="prerequisite: Echo server" classname="scenarios/demo.yaml" time="0.120"/>
    <testcase name="Set Wi-Fi mode to station" classname="scenarios/demo.yaml" time="0.003"/>
    <testcase name="Set an impossible mode" classname="scenarios/demo.yaml" time="0.002">
      <failure type="unexpected-result" message="the device answered \`ERROR\` while the step waited for \`OK\`">error[unexpected-result]: step &quot;Set an impossible mode&quot; failed: the device answered \`ERROR\` while the step waited for \`OK\`
 --&gt; scenarios/demo.yaml:6:5
  |
6 |   - name: Set an impossible mode
  |     ^^^^^^^^^^^^^^^
   expected, in order:
     ✖ OK
   error code: 0x01070000 (parameter out of range, parameter 0)
   what crossed the link during the step:
         +0ms → AT+CWMODE=9
         +1ms ← ERROR</failure>
    </testcase>
  </testsuite>
</testsuites>
`)
    expect(junitProblems(xml)).toEqual([])
  })

  it('errors, skips, optional warnings, scenarios that did not run and device bytes that XML forbids: well-formed and complete', () => {
    const xml = everyOutcome()
    expect(junitProblems(xml)).toEqual([])
    expect(xml).toContain('<testsuites name="at-scenario" tests="12" failures="1" errors="4"')
    expect(xml).toContain('<error type="timeout" message="timed out after 300 ms waiting for `+WS_DATA:0,4,test`">')
    expect(xml).toContain('<testcase name="Receive &lt;4&gt; bytes &amp; &quot;more&quot;"')
    expect(xml).toContain('<error type="prerequisite-exited"')
    expect(xml).toContain('<system-out>warning: optional step failed')
    expect(xml).toContain('<error type="prerequisite-failed" message="exited with code 1 before it was ready">')
    expect(xml).toContain('<testcase name="open /dev/ttyUSB9 at 115200 baud" classname="scenarios/demo.yaml" time="0.000">')
    expect(xml).toContain('<skipped message="the run was interrupted"/>')
    expect(xml).toContain('<skipped message="a prerequisite did not start"/>')
    expect(xml).toContain('garbage \\x01\\x02\\xfffe ok')
  })

  it('an empty run (nothing selected, or killed before the first scenario ended) is still a well-formed document', () => {
    expect(junitProblems(empty())).toEqual([])
  })

  itWith('junit-xsd', 'the documents above are valid against the Jenkins XSD', () => {
    for (const [name, xml] of [['every-outcome', everyOutcome()], ['empty', empty()]] as const) {
      const file = join(dir, `${name}.xml`)
      writeFileSync(file, xml)
      const lint = xmllint(file)
      expect(lint.output, name).toContain('validates')
      expect(lint.valid, name).toBe(true)
    }
  })
})
