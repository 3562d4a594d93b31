import { describe, expect, it } from 'vitest'
import { lavaCases, startLava, testCaseSignal } from '../../src/report/lava.ts'
import { prerequisite, runResult, step } from './builders.ts'

/** The parameters of a LAVA signal line, split as LAVA's test shell splits them (at spaces, KEY=value). */
function signal(line: string): { name: string; params: string[] } {
  const m = /^<LAVA_SIGNAL_(\S+) ([^>]+)>$/.exec(line)
  if (!m) throw new Error(`not a LAVA signal: ${line}`)
  return { name: m[1]!, params: m[2]!.split(/\s+/) }
}

describe('the LAVA reporter', () => {
  it('a case per prerequisite and step: IDs without spaces, numbered, teardown apart; results pass, fail, skip', () => {
    const result = runResult({
      status: 'failed',
      prerequisites: [prerequisite()],
      steps: [
        step({ name: 'Set Wi-Fi mode to station', durationMs: 6.4 }),
        step({ index: 1, name: 'Join "lab" <5 GHz> / 2.4', status: 'failed', durationMs: 20 }),
        step({ index: 2, name: 'Optional check', status: 'errored', optional: true }),
        step({ index: 3, name: 'Ping', status: 'skipped', iteration: '3/100' }),
      ],
      teardown: [step({ phase: 'teardown', index: 0, name: 'Close the WebSocket link' })],
    })
    const cases = lavaCases({ result })
    expect(cases.map((c) => `${c.id} ${c.result}`)).toEqual([
      'prerequisite-echo-server pass',
      '01-set-wi-fi-mode-to-station pass',
      '02-join-lab-5-ghz-2.4 fail',
      '03-optional-check pass',
      '04-ping-3of100 skip',
      'teardown-01-close-the-websocket-link pass',
    ])
    expect(testCaseSignal(cases[1]!)).toBe('<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=01-set-wi-fi-mode-to-station RESULT=pass MEASUREMENT=6 UNITS=ms>')
    expect(testCaseSignal(cases[4]!)).toBe('<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=04-ping-3of100 RESULT=skip>')
    for (const c of cases) expect(c.id).toMatch(/^[a-z0-9._-]{1,100}$/)
  })

  it('two steps of one name stay two cases; a name of no ASCII letters still has an ID', () => {
    const result = runResult({ steps: [step({ name: 'AT' }), step({ name: 'AT' }), step({ index: 5, name: '连接路由器' })] })
    expect(lavaCases({ result }).map((c) => c.id)).toEqual(['01-at', '01-at-2', '06-step'])
  })

  it('writes a test set per scenario and the scenario as a case after it; a port that did not open is a failed case', () => {
    const out: string[] = []
    const emit = startLava({ stdout: { write: (t: string) => out.push(t) }, env: { PATH: '' }, warn: () => {} })
    emit({ result: runResult() })
    emit({ result: runResult({ status: 'not-run', durationMs: 0 }), notRun: { reason: 'link-error', message: 'cannot open /dev/ttyUSB0' } })
    const lines = out.join('').trimEnd().split('\n').map(signal)
    expect(lines.map((l) => `${l.name} ${l.params.join(' ')}`)).toEqual([
      'TESTSET START demo',
      'TESTCASE TEST_CASE_ID=01-set-wi-fi-mode-to-station RESULT=pass MEASUREMENT=3 UNITS=ms',
      'TESTSET STOP',
      'TESTCASE TEST_CASE_ID=demo RESULT=pass MEASUREMENT=0.251 UNITS=seconds',
      'TESTSET START demo-2',
      'TESTCASE TEST_CASE_ID=open-port RESULT=fail',
      'TESTCASE TEST_CASE_ID=01-set-wi-fi-mode-to-station RESULT=pass MEASUREMENT=3 UNITS=ms',
      'TESTSET STOP',
      'TESTCASE TEST_CASE_ID=demo-2 RESULT=fail',
    ])
  })
})
