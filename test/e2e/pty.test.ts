import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { usePtySim } from '../helpers/resources.ts'
import { freePort, isListening } from '../helpers/net.ts'

describe('over a real pseudo-terminal, through the real serialport package', () => {
  const pty = usePtySim()

  it('tcp-echo.yaml passes with the simulator served on one end of a socat pair and --port on the other', async () => {
    const { pair, sim } = await pty.served()
    const port = await freePort()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', pair.host, '--var', 'host.ip=127.0.0.1', '--var', `port=${port}`])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`running on ${pair.host} at 115200 baud`)
    expect(run.stdout).toMatch(/✔ Receive 4 bytes/)
    expect(run.stdout).toMatch(/PASSED .*7 passed/)
    expect(await isListening(port)).toBe(false)
    // The simulator is still serving: the runner closed its end cleanly.
    expect(sim.child.exitCode).toBe(null)
  })

  it('at-scenario sim --pty prints a device path that tcp-echo.yaml runs against, and stops on Ctrl-C', async () => {
    const served = await pty.sim(['--pty'])
    expect(served.address).toMatch(/^\/dev\/pts\/\d+$/)
    const port = await freePort()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', served.address, '--var', 'host.ip=127.0.0.1', '--var', `port=${port}`])
    expect(run.code).toBe(0)
    expect(await served.stop()).toBe(0)
  })

  it('at-scenario sim --listen serves a device per TCP connection; --port tcp:// runs against it', async () => {
    const listen = await freePort()
    const served = await pty.sim(['--listen', `tcp://127.0.0.1:${listen}`])
    expect(served.address).toBe(`tcp://127.0.0.1:${listen}`)
    const port = await freePort()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', served.address, '--var', 'host.ip=127.0.0.1', '--var', `port=${port}`])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/PASSED .*7 passed/)
  })
})
