import { describe, expect, it } from 'vitest'
import type { EngineEvent } from '../../src/engine/events.ts'
import { parseRecording } from '../../src/replay/atrec-reader.ts'
import { Recorder } from '../../src/replay/recorder.ts'
import { runVariables, variableMismatches } from '../../src/replay/run-variables.ts'
import { parseScenario } from '../../src/source/load.ts'
import type { VariableInputs } from '../../src/source/variables.ts'
import { maskedEvents, MemorySink, rawIo, runResult, span, step } from '../report/builders.ts'
import type { RawIo } from '../report/builders.ts'

const SCENARIO = `name: Join
vars:
  ssid: lab
  password: "1234567890"
  url: "ws://user:\${password}@host"
  port: 8765
secrets: [password]
steps:
  - send: AT+CWJAP="\${ssid}","\${password}"
  - send: AT+WSOPEN=0,"\${url}:\${port}"
`

function inputs(overrides: Partial<VariableInputs> = {}): VariableInputs {
  return { cliVars: new Map([['port', '9000']]), env: {}, hostIp: '192.168.1.10', onSimulator: false, ...overrides }
}

function scenario() {
  const loaded = parseScenario('scenarios/join.yaml', SCENARIO, { cliVars: new Map([['port', '9000']]), env: {}, cwd: process.cwd() })
  if (!loaded.scenario) throw new Error(loaded.diagnostics.map((d) => d.message).join('; '))
  return loaded.scenario
}

describe('runVariables', () => {
  it('keeps every variable but secrets and values that hold one; names the secrets', () => {
    const vars = runVariables(scenario(), inputs())
    expect(vars.plain).toEqual([
      ['host.ip', '192.168.1.10'],
      ['ssid', 'lab'],
      ['port', '9000'],
    ])
    expect(vars.secrets).toEqual([{ name: 'password', value: '1234567890' }])
  })

  it('names the variables whose values differ from a recording', () => {
    const recorded = new Map([
      ['host.ip', '10.0.0.2'],
      ['ssid', 'lab'],
      ['port', '8765'],
    ])
    expect(variableMismatches(recorded, runVariables(scenario(), inputs()))).toEqual([
      { name: 'host.ip', recorded: '10.0.0.2', current: '192.168.1.10' },
      { name: 'port', recorded: '8765', current: '9000' },
    ])
  })
})

describe('Recorder', () => {
  const PASSWORD = { name: 'password', value: '1234567890' }
  // A secret of an included file, under the name of its variable there.
  const INCLUDED = { name: 'wifi_key', value: 'inc-secret' }

  function record(raw: (EngineEvent | RawIo)[]): { sink: MemorySink; text: string } {
    const events = maskedEvents([PASSWORD, INCLUDED], raw)
    const sink = new MemorySink()
    let now = 100
    const recorder = new Recorder(
      sink,
      { port: { port: '/dev/ttyUSB0', baud: 115200, dataBits: 8, parity: 'none', stopBits: 1, flow: 'none', simulatorVars: false }, variables: { ...runVariables(scenario(), inputs()), secrets: [PASSWORD, INCLUDED] } },
      () => now++,
    )
    for (const e of events) recorder.listener(e)
    return { sink, text: sink.text }
  }

  const run: (EngineEvent | RawIo)[] = [
    {
      type: 'run:start',
      scenario: { name: 'Join', file: 'scenarios/join.yaml' },
      target: '/dev/ttyUSB0 at 115200 baud',
      prerequisites: [],
      steps: [{ phase: 'steps', index: 0, name: 'Join', span: span(9) }],
    },
    rawIo('rx', 0.5, '\r\nready\r\n'),
    { type: 'step:start', phase: 'steps', index: 0, name: 'Join', kind: 'send', expected: ['OK'], waitMs: 5000 },
    rawIo('tx', 2, 'AT+CWJAP="lab","1234567890"\r\n', [PASSWORD]),
    // The echo comes back with the password split across two reads.
    rawIo('rx', 3.25, 'AT+CWJAP="lab","12345'),
    rawIo('rx', 4, '67890"\r\nWIFI CONNECTED\r\n'),
    rawIo('rx', 150, 'inc-secret\r\n\r\nOK\r\n'),
    { type: 'step:end', result: step({ name: 'Join', status: 'passed' }) },
    { type: 'run:end', result: runResult() },
  ]

  it('writes the header, every byte with its time, and the steps as markers; the file reads back', () => {
    const { sink, text } = record(run)
    expect(sink.closed).toBe(true)
    expect(sink.checkpoints).toBe(1)
    const r = parseRecording(text)
    expect(r.header).toMatchObject({ scenario: 'Join', file: 'scenarios/join.yaml', target: '/dev/ttyUSB0 at 115200 baud', port: '/dev/ttyUSB0', baud: 115200, parity: 'none', simulatorVars: false, secrets: ['password', 'wifi_key'] })
    expect(r.header.recorded).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(r.vars.get('port')).toBe('9000')
    expect(r.vars.has('url')).toBe(false)
    const shown = r.data.map((d) => [d.dir, d.at, d.segments.map((s) => ('bytes' in s ? s.bytes.toString('latin1') : `{${s.secret}}`)).join(''), d.place ?? ''])
    expect(shown).toEqual([
      ['rx', 0.5, '\r\nready\r\n', ''],
      ['tx', 2, 'AT+CWJAP="lab","{password}"\r\n', 'step 1 "Join"'],
      ['rx', 3.25, 'AT+CWJAP="lab","', 'step 1 "Join"'],
      ['rx', 4, '{password}"\r\nWIFI CONNECTED\r\n', 'step 1 "Join"'],
      ['rx', 150, '{wifi_key}\r\n\r\nOK\r\n', 'step 1 "Join"'],
    ])
    expect(text).toContain('==  step 1 "Join" passed\n')
    expect(text.endsWith('==  end: passed\n')).toBe(true)
  })

  it('never writes a secret, not even half of one', () => {
    const { text } = record(run)
    for (const secret of ['1234567890', '12345', '67890', 'inc-secret', 'ws://user:']) expect(text).not.toContain(secret)
  })
})
