import { describe, expect, it } from 'vitest'
import { unusedCliVars } from '../../src/cli/unused-cli-vars.ts'
import { loadScenario, parseScenario } from '../../src/source/load.ts'
import { variableNames } from '../../src/source/variables.ts'

const cliVars = new Map([['greeting_length', '5']])

async function everything() {
  const { scenario, diagnostics } = await loadScenario('test/fixtures/language/everything.yaml', { cliVars, env: {}, cwd: process.cwd() })
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  return scenario!
}

describe('the variable names a scenario uses', () => {
  it('declared, referenced, captured, included, secret and host.ip', async () => {
    const names = variableNames(await everything())
    for (const name of ['label', 'ssid', 'wifi_password', 'greeting', 'greeting_length', 'joined', 'password', 'join_timeout', 'host.ip', 'env.PYTHON', 'env.AT_TEST_SSID']) {
      expect(names, name).toContain(name)
    }
    expect(names).not.toContain('greeting_len')
  })

  it('simulator.vars, prerequisite readiness patterns and captures in them count too', () => {
    const { scenario } = parseScenario(
      't.yaml',
      `name: n
simulator: { vars: { cert: sim.crt } }
prerequisites:
  - name: server
    run: [server, "\${cert}"]
    ready: { stdout: '/listening on (?<server_port>\\d+)/' }
steps:
  - send: AT+X=\${server_port}
`,
      { cliVars: new Map(), env: {}, cwd: process.cwd() },
    )
    expect([...variableNames(scenario!)]).toEqual(expect.arrayContaining(['cert', 'server_port']))
  })
})

describe('--var that no scenario uses', () => {
  it('names the variable, never its value, with a did-you-mean', async () => {
    const scenario = await everything()
    expect(unusedCliVars(['greeting_length', 'host.ip', 'password', 'lable', 'nothing_like_it'], [scenario])).toEqual([
      '--var lable=…: no scenario uses a variable `lable`; did you mean `label`?',
      '--var nothing_like_it=…: no scenario uses a variable `nothing_like_it`',
    ])
  })

  it('a name the scenarios read from the environment, or an env. name: where it has to be set instead', async () => {
    const scenario = await everything()
    expect(unusedCliVars(['AT_TEST_SSID', 'env.AT_TEST_SSID'], [scenario])).toEqual([
      '--var AT_TEST_SSID=…: no scenario uses a variable `AT_TEST_SSID`; the scenarios read `${env.AT_TEST_SSID}`: set AT_TEST_SSID in the environment or in .env',
      '--var env.AT_TEST_SSID=…: `${env.AT_TEST_SSID}` is read from the environment, not from --var; set AT_TEST_SSID in the environment or in .env',
    ])
  })

  it('a name any of several scenarios uses is no warning', async () => {
    const other = parseScenario('o.yaml', 'name: o\nvars: { baud_rate: "9600" }\nsteps:\n  - send: AT+UART_CUR=${baud_rate},8,1,0,0\n', { cliVars: new Map(), env: {}, cwd: process.cwd() }).scenario!
    expect(unusedCliVars(['baud_rate', 'label'], [await everything(), other])).toEqual([])
  })
})
