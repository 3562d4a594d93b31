import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { usePtySim } from '../helpers/resources.ts'
import { itWith } from '../helpers/external-material.ts'
import { freePort, isListening, processesMatching } from '../helpers/net.ts'
import { removeReportsDirs, reportsDir } from '../simulator/reports-dir.ts'
import { stockFirmwareProfile } from '../helpers/stock-firmware-profile.ts'

const DOC_FILES = ['--var', 'server_ca=certs/server_ca.crt', '--var', 'server_cert=certs/server.crt', '--var', 'server_key=certs/server.key']
const STEPS = [
  'Start Python TLS WebSocket echo server',
  'Set Wi-Fi mode to station',
  'Connect to the router',
  'Set the SNTP servers',
  'Wait until SNTP has set the clock',
  'Query the SNTP time',
  'Configure link 0 for mutual authentication (client certificate 0, CA 0)',
  'Connect to the WebSocket server over TLS',
  'Send 4 bytes',
  'Write the 4 bytes at the prompt',
  'Receive 4 bytes',
  'teardown: Close the WebSocket link',
]

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** A device with the stock firmware's PKI (external material: AT_SCENARIO_STOCK_PKI). */
const STOCK_FIRMWARE = stockFirmwareProfile()

/** The doc's second example (mutual TLS) through the CLI, with the doc's Python TLS server. */
describe('scenarios/tls-echo.yaml', () => {
  afterAll(removeReportsDirs)

  it('passes on the simulator with no options but a free port: its own PKI (simulator.vars), SNTP first', async () => {
    const port = await freePort()
    const run = await runCli(['scenarios/tls-echo.yaml', '--var', `port=${port}`, '--output-dir', reportsDir()])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('running on the built-in ESP-AT simulator (no --port given)')
    for (const name of STEPS) expect(run.stdout).toMatch(new RegExp(`✔ ${escape(name)}`))
    expect(run.stdout).toMatch(/PASSED scenarios\/tls-echo\.yaml: 11 passed/)
    expect(await isListening(port)).toBe(false)
    expect(processesMatching(`--port ${port}`)).toEqual([])
  })

  itWith('stock-pki', 'passes with a stock-firmware profile (the stock PKI) and the doc\'s own three files: certificates are checked as the firmware does', async () => {
    const port = await freePort()
    const run = await runCli(['scenarios/tls-echo.yaml', '--profile', STOCK_FIRMWARE, '--var', `port=${port}`, ...DOC_FILES, '--output-dir', reportsDir()])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('running on the built-in ESP-AT simulator with profile stock-firmware.yaml')
    expect(run.stdout).toMatch(/PASSED .*11 passed/)
  })

  itWith('stock-pki', 'the stock-firmware profile refuses a server its CA did not sign (the project PKI\'s): WSOPEN fails', async () => {
    const port = await freePort()
    const run = await runCli(['scenarios/tls-echo.yaml', '--profile', STOCK_FIRMWARE, '--var', `port=${port}`, '--output-dir', reportsDir()])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('step "Connect to the WebSocket server over TLS" failed: the device answered `ERROR`')
    expect(run.stderr).toMatch(/← \+WS_DISCONNECTED:0 {2}\(unsolicited\)\n.*← ERROR/)
    expect(run.stdout).toMatch(/✔ teardown: Close the WebSocket link/)
    expect(await isListening(port)).toBe(false)
  })

  it('with the client certificate removed from the profile, AT+WSCFG answers NO CERT FOUND and ERROR (the firmware checks it there), so no link opens', async () => {
    const port = await freePort()
    const run = await runCli(['scenarios/tls-echo.yaml', '--profile', 'test/fixtures/profiles/no-client-cert.yaml', '--var', `port=${port}`, '--output-dir', reportsDir()])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('step "Configure link 0 for mutual authentication (client certificate 0, CA 0)" failed: the device answered `ERROR`')
    expect(run.stderr).toMatch(/← NO CERT FOUND\n.*← ERROR/)
    expect(run.stdout).toMatch(/↓ Connect to the WebSocket server over TLS/)
  })

  it('with a client certificate the server\'s CA did not sign, the server refuses the handshake: WSOPEN fails with +WS_DISCONNECTED and ERROR', async () => {
    const port = await freePort()
    const run = await runCli(['scenarios/tls-echo.yaml', '--profile', 'test/fixtures/profiles/untrusted-client-cert.yaml', '--var', `port=${port}`, '--output-dir', reportsDir()])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/✔ Configure link 0 for mutual authentication/)
    expect(run.stderr).toContain('step "Connect to the WebSocket server over TLS" failed: the device answered `ERROR`')
    expect(run.stderr).toMatch(/← \+WS_DISCONNECTED:0 {2}\(unsolicited\)\n.*← ERROR/)
  })

  it('without the SNTP steps the device clock reads 1970, the server certificate is not yet valid, and WSOPEN fails', async () => {
    const port = await freePort()
    const run = await runCli(['test/fixtures/tls-echo-without-sntp.yaml', '--profile', 'test/fixtures/profiles/fast.yaml', '--var', `port=${port}`, '--output-dir', reportsDir()])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/✔ The clock reads 1970/)
    expect(run.stdout).toMatch(/✔ AT\+WSCFG=0,30,60,4096,3,0,0/)
    expect(run.stderr).toContain('step "Connect to the WebSocket server over TLS" failed: the device answered `ERROR`')
    expect(run.stderr).toMatch(/← \+WS_DISCONNECTED:0 {2}\(unsolicited\)\n.*← ERROR/)
    expect(await isListening(port)).toBe(false)
  })

  describe('with --port (a device on a serial line)', () => {
    const pty = usePtySim()

    itWith('stock-pki', 'uses the doc\'s three files (vars, not simulator.vars): passes against a stock-firmware device', async () => {
      const { pair } = await pty.served(['--profile', STOCK_FIRMWARE])
      const port = await freePort()
      const reports = reportsDir()
      const run = await runCli(['scenarios/tls-echo.yaml', '--port', pair.host, '--var', 'host.ip=127.0.0.1', '--var', `port=${port}`, '--output-dir', reports])
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(run.stdout).toContain(`running on ${pair.host} at 115200 baud`)
      expect(run.stdout).toMatch(/PASSED .*11 passed/)
      // The server was started with the doc's files: the transcript names them.
      const transcript = readFileSync(join(reports, 'tls-echo.transcript.txt'), 'utf8')
      expect(transcript).toContain('certs/server.crt')
      expect(transcript).not.toContain('pki/server.crt')
    })
  })
})
