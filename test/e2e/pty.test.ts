import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { freePort, isListening } from '../helpers/net.ts'
import { ptyPair } from '../helpers/pty.ts'
import type { PtyPair } from '../helpers/pty.ts'
import { startSim } from '../helpers/sim.ts'
import type { SimProcess } from '../helpers/sim.ts'

describe('over a real pseudo-terminal, through the real serialport package', () => {
  let pair: PtyPair | undefined
  let sim: SimProcess | undefined
  afterEach(async () => {
    await sim?.stop()
    await pair?.close()
    sim = undefined
    pair = undefined
  })

  it('tcp-echo.yaml passes with the simulator served on one end of a socat pair and --port on the other', async () => {
    pair = await ptyPair()
    sim = await startSim(['--port', pair.device])
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
    const served = await startSim(['--pty'])
    sim = served
    expect(served.address).toMatch(/^\/dev\/pts\/\d+$/)
    const port = await freePort()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', served.address, '--var', 'host.ip=127.0.0.1', '--var', `port=${port}`])
    expect(run.code).toBe(0)
    expect(await sim.stop()).toBe(0)
  })

  it('at-scenario sim --listen serves a device per TCP connection; --port tcp:// runs against it', async () => {
    const listen = await freePort()
    const served = await startSim(['--listen', `tcp://127.0.0.1:${listen}`])
    sim = served
    expect(served.address).toBe(`tcp://127.0.0.1:${listen}`)
    const port = await freePort()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', served.address, '--var', 'host.ip=127.0.0.1', '--var', `port=${port}`])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/PASSED .*7 passed/)
  })
})
