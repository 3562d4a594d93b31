import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadScenario, parseScenario } from '../../src/source/load.ts'
import { Variables } from '../../src/source/variables.ts'
import type { VariableInputs } from '../../src/source/variables.ts'

const noInputs = { cliVars: new Map<string, string>(), env: {}, cwd: process.cwd() }
const inputs = (over: Partial<VariableInputs> = {}): VariableInputs => ({ ...noInputs, hostIp: '127.0.0.1', onSimulator: true, ...over })

function parse(text: string, options = noInputs) {
  return parseScenario('t.yaml', text, options)
}

describe('loading a scenario', () => {
  it('gives every step its kind, name, timeout and source position', () => {
    const { scenario, diagnostics } = parse(`name: n
defaults: { timeout: 2s }
steps:
  - send: AT+CWMODE=1
  - name: Send
    send: AT+WSSEND=0,4
    expect: [OK, ">"]
    timeout: 250ms
  - payload: { text: "ab", repeat: 2 }
  - wait: "+WS_DATA:0,4,abab"
  - sleep: 1s
`)
    expect(diagnostics).toEqual([])
    expect(scenario!.steps.map((s) => [s.kind, s.name.source, s.timeoutMs, s.span.start.line])).toEqual([
      ['send', 'AT+CWMODE=1', 2000, 4],
      ['send', 'Send', 250, 5],
      ['payload', 'payload "ab" × 2', 2000, 9],
      ['wait', 'wait +WS_DATA:0,4,abab', 2000, 10],
      ['sleep', 'sleep 1s', 2000, 11],
    ])
    const send = scenario!.steps[0]!
    expect(send.kind === 'send' && send.expect.map((e) => e.kind === 'line' && e.text.source)).toEqual(['OK'])
  })

  it('every problem of a file in one pass: schema, structure, variables', () => {
    const { scenario, diagnostics } = parse(`name: n
steps:
  - send: AT
    expct: OK
  - send: AT
    wait: OK
  - send: AT+X=\${nope}
`)
    expect(scenario).toBeUndefined()
    expect(diagnostics.map((d) => [d.code, d.span?.start.line])).toEqual([
      ['unknown-key', 4],
      ['step-action', 6],
      ['undefined-variable', 7],
    ])
  })

  it('payload length is checked against the length the command announced, in bytes', () => {
    const ok = parse(`name: n
steps:
  - send: AT+WSSEND=0,6
    expect: [OK, ">"]
  - payload: "€€"
  - send: AT+WSSEND=1,3
    expect: [OK, ">"]
  - payload: { hex: "01 0d 0a" }
  - send: AT+CIPSEND=4
    expect: [OK, ">"]
  - payload: { text: "ab", repeat: 2 }
`)
    expect(ok.diagnostics).toEqual([])
    const bad = parse(`name: n
steps:
  - send: AT+CIPSEND=0,5
    expect: [OK, ">"]
  - payload: { base64: "dGVzdA==" }
`)
    expect(bad.diagnostics.map((d) => [d.code, d.message])).toEqual([['payload-length', 'the payload is 4 bytes, but `AT+CIPSEND=0,5` announced 5']])
  })
})

describe('variables of a run', () => {
  const text = `name: n
vars:
  ssid: \${env.SSID:-espressif}
  greeting: hi \${ssid}
  port: 8765
  cert: certs/server.crt
simulator:
  vars:
    cert: pki/server.crt
secrets: [ssid]
steps:
  - send: AT+X="\${greeting}",\${port},"\${cert}",\${host.ip}
`
  it('are templated in order, --var wins, simulator.vars only on the simulator', () => {
    const { scenario } = parse(text)
    const onSim = new Variables(scenario!, inputs({ cliVars: new Map([['port', '1']]) }))
    expect([onSim.get('greeting'), onSim.get('port'), onSim.get('cert'), onSim.get('host.ip')]).toEqual(['hi espressif', '1', 'pki/server.crt', '127.0.0.1'])
    const onDevice = new Variables(scenario!, inputs({ env: { SSID: 'lab' }, onSimulator: false, hostIp: '10.0.0.2' }))
    expect([onDevice.get('greeting'), onDevice.get('cert'), onDevice.get('host.ip')]).toEqual(['hi lab', 'certs/server.crt', '10.0.0.2'])
    expect(onDevice.secretValues()).toEqual(['lab'])
  })

  it('--var host.ip beats the detected address', () => {
    const { scenario } = parse(text)
    expect(new Variables(scenario!, inputs({ cliVars: new Map([['host.ip', '10.1.1.1']]) })).get('host.ip')).toBe('10.1.1.1')
  })
})

describe('include', () => {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-include-'))
  mkdirSync(join(dir, 'common'))
  writeFileSync(
    join(dir, 'common', 'wifi.yaml'),
    `vars:
  ssid: espressif
  password: ""
  label: join \${ssid}
secrets: [password]
steps:
  - name: \${label}
    send: AT+CWJAP="\${ssid}","\${password}"
`,
  )
  writeFileSync(
    join(dir, 'main.yaml'),
    `name: main
vars:
  pw: s3cret
steps:
  - send: AT
  - include: common/wifi.yaml
    with: { password: "\${pw}" }
  - send: AT+END
`,
  )

  it('splices the steps in order, numbered, with the file’s vars as defaults and with: over them', async () => {
    const { scenario, diagnostics, sources } = await loadScenario(join(dir, 'main.yaml'), noInputs)
    expect(diagnostics).toEqual([])
    expect(scenario!.steps.map((s) => [s.index, s.kind === 'send' && s.command.source])).toEqual([
      [0, 'AT'],
      [1, 'AT+CWJAP="${ssid}","${password}"'],
      [2, 'AT+END'],
    ])
    expect(scenario!.steps[1]!.span.file).toBe(join(dir, 'common', 'wifi.yaml'))
    expect(sources.has(join(dir, 'common', 'wifi.yaml'))).toBe(true)
    const vars = new Variables(scenario!, inputs())
    const step = scenario!.steps[1]!
    expect(step.kind === 'send' && vars.render(step.command)).toBe('AT+CWJAP="espressif","s3cret"')
    expect(vars.render(step.name)).toBe('join espressif')
    // The included file's secret is masked too.
    expect(vars.secretValues()).toContain('s3cret')
  })
  it('reads relative paths from the working directory it is given, and names the files of a cycle relative to it', async () => {
    const work = mkdtempSync(join(tmpdir(), 'at-scenario-cwd-'))
    mkdirSync(join(work, 'cycle'))
    writeFileSync(join(work, 'cycle', 'a.yaml'), 'name: a\nsteps:\n  - include: b.yaml\n')
    writeFileSync(join(work, 'cycle', 'b.yaml'), 'steps:\n  - include: a.yaml\n')
    // The process runs elsewhere: only the given cwd can find cycle/a.yaml.
    expect(process.cwd()).not.toBe(work)
    const { diagnostics } = await loadScenario('cycle/a.yaml', { ...noInputs, cwd: work })
    expect(diagnostics.map((d) => [d.code, d.message, d.span?.file])).toEqual([
      ['include-cycle', 'include cycle: cycle/a.yaml → cycle/b.yaml → cycle/a.yaml', 'cycle/b.yaml'],
    ])
  })
})

describe('AT commands whose double quotes do not pair up', () => {
  const quoteErrors = (text: string) => parse(text).diagnostics.filter((d) => d.code === 'unbalanced-quotes')

  it('a YAML comment that cut the value: located at the command, the comment named, the value quoted as the fix', () => {
    const [d, ...rest] = quoteErrors(`name: n
steps:
  - send: AT+CWJAP="lab","abc #1"   # a real comment after it
`)
    expect(rest).toEqual([])
    expect(d).toMatchObject({ severity: 'error', span: { file: 't.yaml', start: { line: 3, col: 11 } } })
    expect(d!.message).toContain('`AT+CWJAP="lab","abc`')
    expect(d!.hint).toBe('`#1"` after a space starts a YAML comment, which cut the command short; quote the whole value: `send: \'AT+CWJAP="lab","abc #1"\'`')
  })

  it('a string simply left open: the generic hint', () => {
    const [d] = quoteErrors(`name: n
steps:
  - send: 'AT+WSOPEN=0,"ws://127.0.0.1:8765'
  - send: AT+CWJAP="lab","abc
`)
    expect(d!.hint).toBe('close the string with `"`; a `"` inside a string parameter is written `\\"`')
    expect(quoteErrors(`name: n\nsteps:\n  - send: AT+CWJAP="lab","abc\n`)[0]!.hint).toMatch(/^close the string/)
  })

  it('escaped quotes and backslashes, and variables, are counted as the firmware reads the line', () => {
    expect(
      quoteErrors(`name: n
vars: { ssid: 'a"b', password: x }
steps:
  - send: AT+CWJAP="\${ssid}","pa\\"ss"
  - send: AT+CWJAP="\${ssid}","\${password}"
  - send: AT+CWJAP="back\\\\","slash"
  - send: AT+CIPSNTPCFG=1,8,"cn.ntp.org.cn","ntp.sjtu.edu.cn"
teardown:
  - send: AT+WSCLOSE=0
`),
    ).toEqual([])
    expect(quoteErrors(`name: n\nvars: { ssid: a }\nsteps:\n  - send: AT+CWJAP="\${ssid}\n`)).toHaveLength(1)
    // An escaped quote closes nothing.
    expect(quoteErrors(`name: n\nsteps:\n  - send: AT+CWJAP="a\\",b\n`)).toHaveLength(1)
  })

  it('in teardown and in included files too, located in the included file', async () => {
    expect(quoteErrors(`name: n\nsteps:\n  - send: AT\nteardown:\n  - send: AT+WSCLOSE="0\n`)).toHaveLength(1)
    const dir = mkdtempSync(join(tmpdir(), 'at-scenario-quotes-'))
    writeFileSync(join(dir, 'join.yaml'), 'steps:\n  - send: AT+CWJAP="lab","x #y"\n')
    writeFileSync(join(dir, 'main.yaml'), 'name: main\nsteps:\n  - include: join.yaml\n')
    const { diagnostics } = await loadScenario(join(dir, 'main.yaml'), noInputs)
    expect(diagnostics.map((d) => [d.code, d.span?.file, d.span?.start.line, d.hint])).toEqual([
      ['unbalanced-quotes', join(dir, 'join.yaml'), 2, '`#y"` after a space starts a YAML comment, which cut the command short; quote the whole value: `send: \'AT+CWJAP="lab","x #y"\'`'],
    ])
  })
})

describe('timeouts a timer can keep', () => {
  it('rejects, where it is written, a duration over 2^31-1 ms in either form, in every place that takes one', () => {
    const { diagnostics } = parseScenario(
      't.yaml',
      `name: n
defaults: { timeout: 40000m }
prerequisites:
  - run: [sleep, "1"]
    ready: { port: 1, timeout: 2147483648 }
steps:
  - send: AT
    timeout: 2147483648
    retry: { times: 1, delay: 35792m }
  - sleep: 2147483648ms
  - send: AT
    timeout: 2147483647
`,
      noInputs,
    )
    expect(diagnostics.map((d) => [d.code, d.span?.start.line, d.span?.start.col])).toEqual([
      ['bad-duration', 2, 22],
      ['bad-duration', 5, 32],
      ['bad-duration', 8, 14],
      ['bad-duration', 9, 31],
      ['bad-duration', 10, 12],
    ])
    expect(diagnostics[0]!.message).toBe('`40000m` is 2400000000 ms, longer than a timer can wait (2147483647 ms, about 24.8 days)')
  })
})
