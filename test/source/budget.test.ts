import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadScenario, parseScenario } from '../../src/source/load.ts'

const noInputs = { cliVars: new Map<string, string>(), env: {}, cwd: process.cwd() }
const parse = (text: string) => parseScenario('t.yaml', text, noInputs)

describe('budget', () => {
  it('on a step, and from defaults.budget for the steps that write and wait and set none', () => {
    const { scenario, diagnostics } = parse(`name: n
defaults: { budget: 1s }
steps:
  - send: AT+CWMODE=1
    budget: 250ms
  - send: AT+WSSEND=0,4
    expect: [OK, ">"]
  - payload: test
  - write: "+++"
  - write: data
    expect: OK
  - send: AT
    expect: []
  - wait: WIFI GOT IP
  - sleep: 5ms
teardown:
  - send: AT+WSCLOSE=0
`)
    expect(diagnostics).toEqual([])
    expect(scenario!.steps.map((s) => [s.kind, s.budgetMs])).toEqual([
      ['send', 250],
      ['send', 1000],
      ['payload', 1000],
      ['write', undefined],
      ['write', 1000],
      ['send', undefined],
      ['wait', undefined],
      ['sleep', undefined],
    ])
    expect(scenario!.teardown[0]!.budgetMs).toBe(1000)
  })

  it('on a step with no answer to time is an error at the key', () => {
    const { diagnostics } = parse(`name: n
steps:
  - sleep: 1s
    budget: 300ms
  - send: AT
    expect: []
    budget: 300ms
  - wait: OK
    budget: 1s
`)
    expect(diagnostics.map((d) => [d.code, d.span?.start.line, d.span?.start.col])).toEqual([
      ['step-action', 4, 5],
      ['step-action', 7, 5],
      ['step-action', 9, 5],
    ])
    expect(diagnostics[0]!.message).toBe('`budget` limits how long the device takes to answer a write; a `sleep` step writes nothing to answer')
    expect(diagnostics[1]!.message).toContain('this `send` waits for no answer (no `expect`)')
  })

  it('is a duration, checked as one', () => {
    const { diagnostics } = parse(`name: n
steps:
  - send: AT
    budget: fast
`)
    expect(diagnostics).toHaveLength(1)
    expect(diagnostics[0]!.span?.start.line).toBe(4)
  })

  it("an included file's defaults.budget covers its steps; the including file's, the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'at-scenario-budget-'))
    writeFileSync(join(dir, 'inc.yaml'), 'defaults: { budget: 2s }\nsteps:\n  - send: AT+CWJAP="a","b"\n')
    writeFileSync(join(dir, 'main.yaml'), 'name: m\ndefaults: { budget: 300ms }\nsteps:\n  - include: inc.yaml\n  - send: AT\n')
    const { scenario, diagnostics } = await loadScenario(join(dir, 'main.yaml'), noInputs)
    expect(diagnostics).toEqual([])
    expect(scenario!.steps.map((s) => s.budgetMs)).toEqual([2000, 300])
  })
})
