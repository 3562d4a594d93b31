import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'

const dir = mkdtempSync(join(tmpdir(), 'at-scenario-honesty-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function scenario(name: string, text: string): string {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

const HINT = 'the built-in simulator does not model AT+MDNS (see `at-scenario sim --list-commands`); run with --port for a board'

describe('what the built-in simulator does not model, it says', () => {
  it('sim --list-commands prints the table by command set, with each command\'s forms', async () => {
    const run = await runCli(['sim', '--list-commands'])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    for (const set of ['Basic AT commands (basic):', 'Wi-Fi AT commands (wifi):', 'TCP/IP AT commands (tcpip):', 'MQTT AT commands (mqtt):', 'HTTP AT commands (http):', 'WebSocket AT commands (ws):']) {
      expect(run.stdout).toContain(set)
    }
    expect(run.stdout).toMatch(/^ {2}AT\+CIPSEND +=\s+execute$/m)
    expect(run.stdout).toMatch(/^ {2}AT\+MQTTPUBRAW +=$/m)
    expect(run.stdout).toMatch(/^ {2}AT\+HTTPURLCFG +\? =$/m)
    expect(run.stdout).not.toContain('AT+MDNS')
    expect(run.stdout).toContain('Run with --port to test a board.')
  })

  it('--list-commands belongs to sim alone', async () => {
    expect((await runCli(['sim', '--list-commands', '--pty'])).stderr).toContain('--list-commands takes no other option of sim')
    const run = await runCli(['scenarios/tcp-echo.yaml', '--list-commands'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--list-commands belongs to `at-scenario sim`')
  })

  it('a step whose command is not modelled fails with ERROR, as on firmware without it, and the failure says why', async () => {
    const run = await runCli(['scenarios/tcpip/mdns-tcp-server.yaml', '--output-dir', join(dir, 'mdns')])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(`✖ ESP32 device enables mDNS service`)
    expect(run.stderr).toContain(`step "ESP32 device enables mDNS service" failed: the device answered \`ERROR\` while the step waited for \`OK\`; ${HINT}`)
    // A modelled command that fails gets no such sentence.
    const bad = await runCli(['scenarios/tcp-echo.yaml', '--output-dir', join(dir, 'echo')], { env: { WIFI_PASSWORD: 'not-the-password' } })
    expect(bad.code).toBe(1)
    expect(bad.stderr).not.toContain('does not model')
  })

  it('validate warns at the step for a scenario meant for the simulator (tag or section); not for others, nor with --port', async () => {
    const tagged = scenario('tagged.yaml', 'name: tagged\ntags: [simulator]\nsteps:\n  - send: AT+MDNS=0\n  - send: AT+CIPMUX=1\n')
    const sectioned = scenario('sectioned.yaml', 'name: sectioned\nsimulator:\n  vars: { x: 1 }\nvars: { x: 2 }\nsteps:\n  - send: AT+MDNS=${x}\n')
    const board = scenario('board.yaml', 'name: board\nsteps:\n  - send: AT+MDNS=0\n')
    const run = await runCli(['validate', tagged, sectioned, board])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`✔ ${board}`)
    const warnings = run.stderr.split('\n').filter((l) => l.startsWith('warning'))
    expect(warnings).toEqual([
      'warning[unmodelled-command]: the built-in simulator does not model AT+MDNS: on it this step gets ERROR (it has the tag `simulator`, so it is meant to run there)',
      'warning[unmodelled-command]: the built-in simulator does not model AT+MDNS: on it this step gets ERROR (it has a `simulator:` section, so it is meant to run there)',
    ])
    expect(run.stderr).toContain(`--> ${tagged}:4:11`)
    expect(run.stderr).toContain(`--> ${sectioned}:6:11`)
    expect(run.stderr).not.toContain(board)
    const forBoard = await runCli(['validate', tagged, '--port', '/dev/ttyUSB0'])
    expect(forBoard.code).toBe(0)
    expect(forBoard.stderr).toBe('')
  })

  it('every scenario of the project validates, and none meant for the simulator uses a command it lacks', async () => {
    const files = ['tcp-echo', 'tls-echo'].map((f) => `scenarios/${f}.yaml`)
    for (const set of ['tcpip', 'mqtt', 'http']) {
      for (const f of readdirSync(`scenarios/${set}`).filter((n) => n.endsWith('.yaml'))) files.push(`scenarios/${set}/${f}`)
    }
    const run = await runCli(['validate', ...files])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout.trim().split('\n')).toHaveLength(files.length)
  })
})
