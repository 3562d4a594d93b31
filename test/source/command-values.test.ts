import { describe, expect, it } from 'vitest'
import { escapeAtString, LINE_START, quoteStateAfter } from '../../src/bytes/at-argument.ts'
import { parseScenario } from '../../src/source/load.ts'
import type { Step, Template } from '../../src/source/types.ts'
import { Variables } from '../../src/source/variables.ts'

const commandOf = (step: Step | undefined): Template => (step?.kind === 'send' ? step.command : expect.unreachable('a send step'))

const SCENARIO = `name: n
vars:
  ssid: \${env.SSID:-lab}
  password: 'pw"x,y\\z'
  mode: '1'
secrets: [password]
steps:
  - send: AT+CWJAP="\${ssid}","\${password}"
  - send: AT+CWMODE=\${mode}
`

function load(cliVars: Record<string, string> = {}, env: Record<string, string> = {}) {
  return parseScenario('t.yaml', SCENARIO, { cliVars: new Map(Object.entries(cliVars)), env, cwd: process.cwd() })
}

describe('values templated into a command', () => {
  it('escapes `\\`, `"` and `,` inside a quoted parameter, as the AT command set reads them', () => {
    expect(escapeAtString('a"b,c\\d')).toBe('a\\"b\\,c\\\\d')
    expect(quoteStateAfter('AT+CWJAP="', LINE_START).inside).toBe(true)
    expect(quoteStateAfter('AT+X="a\\"', LINE_START).inside).toBe(true)
    expect(quoteStateAfter('AT+X="a","', LINE_START).inside).toBe(true)
    expect(quoteStateAfter('AT+X="a",', LINE_START).inside).toBe(false)
  })

  it('renders a command with its quoted values escaped, values outside quotes as they are, and secrets located in the escaped text', () => {
    const { scenario } = load({ mode: '1,"x"' })
    const vars = new Variables(scenario!, { cliVars: new Map([['mode', '1,"x"']]), env: {}, hostIp: '127.0.0.1', onSimulator: true })
    const join = vars.renderCommand(commandOf(scenario!.steps[0]))
    expect(join.text).toBe('AT+CWJAP="lab","pw\\"x\\,y\\\\z"')
    expect(join.secrets.map((s) => join.text.slice(s.start, s.end))).toEqual(['pw\\"x\\,y\\\\z'])
    expect(vars.renderCommand(commandOf(scenario!.steps[1])).text).toBe('AT+CWMODE=1,"x"')
    // The device echoes the escaped form: it is masked like the value itself.
    expect(vars.secretValues()).toEqual(['pw"x,y\\z', 'pw\\"x\\,y\\\\z'])
  })

  it('refuses, before the run and at the reference, a --var or environment value with a line break, naming it but never showing it', () => {
    const fromVar = load({ ssid: 'x"\r\nAT+RESTORE\r\nAT+CWJAP="espressif' })
    expect(fromVar.scenario).toBeUndefined()
    expect(fromVar.diagnostics.map((d) => [d.code, d.span?.start.line, d.span?.start.col])).toEqual([['unsafe-value', 8, 21]])
    expect(fromVar.diagnostics[0]!.message).toMatch(/^the value of `ssid` \(from --var\) contains a line break/)
    expect(JSON.stringify(fromVar.diagnostics)).not.toContain('RESTORE')
    const fromEnv = parseScenario('t.yaml', SCENARIO.replace('${ssid}', '${env.SSID}'), { cliVars: new Map(), env: { SSID: 'a\nb' }, cwd: process.cwd() })
    expect(fromEnv.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([expect.stringMatching(/^the value of `env\.SSID` \(from the environment\) contains a line break/)])
    // Through a variable built from it.
    expect(load({}, { SSID: 'a\rAT+RST' }).diagnostics.map((d) => d.code)).toEqual(['unsafe-value'])
  })

  it('refuses a line break written in the command itself', () => {
    const { diagnostics } = parseScenario('t.yaml', 'name: n\nsteps:\n  - send: "AT\\r\\nAT+RESTORE"\n', { cliVars: new Map(), env: {}, cwd: process.cwd() })
    expect(diagnostics.map((d) => [d.code, d.severity, d.span?.start.line])).toEqual([['unsafe-value', 'error', 3]])
  })
})
