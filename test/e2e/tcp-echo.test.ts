import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { freePort, isListening, processesMatching } from '../helpers/net.ts'

describe('scenarios/tcp-echo.yaml on the built-in simulator', () => {
  it('runs the doc example end to end: server spawned, echo received, exit 0, nothing left behind', async () => {
    const port = await freePort()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--var', `port=${port}`])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('running on the built-in ESP-AT simulator (no --port given)')
    // One task per step, with its name, each passed.
    for (const name of [
      'Start Python WebSocket echo server',
      'Set Wi-Fi mode to station',
      'Connect to the router',
      'Connect to the WebSocket server',
      'Send 4 bytes',
      'Write the 4 bytes at the prompt',
      'Receive 4 bytes',
      'teardown: Close the WebSocket link',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`✔ ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    }
    expect(run.stdout).toMatch(/PASSED scenarios\/tcp-echo\.yaml: 7 passed/)
    // The Wi-Fi password is a secret: never printed.
    expect(run.stdout + run.stderr).not.toContain('1234567890')
    expect(await isListening(port)).toBe(false)
    expect(processesMatching(`--port ${port}`)).toEqual([])
  })

  it('a wrong Wi-Fi password fails the join step with +CWJAP:2 and ERROR, masked in the output', async () => {
    const port = await freePort()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--var', `port=${port}`], { env: { WIFI_PASSWORD: 'wrong-secret-pw' } })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('step "Connect to the router" failed: the device answered `ERROR`')
    expect(run.stderr).toContain('+CWJAP:2')
    expect(run.stderr).toContain('AT+CWJAP="espressif","***"')
    expect(run.stdout + run.stderr).not.toContain('wrong-secret-pw')
    expect(await isListening(port)).toBe(false)
  })
})
