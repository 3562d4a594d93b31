import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { freePort, isListening } from '../helpers/net.ts'
import { ptyPair } from '../helpers/pty.ts'
import type { PtyPair } from '../helpers/pty.ts'
import { startSer2net } from '../helpers/ser2net.ts'
import { startSim } from '../helpers/sim.ts'
import type { SimProcess } from '../helpers/sim.ts'
import type { Ser2net } from '../helpers/ser2net.ts'

/**
 * A lab rack in miniature: the simulator on one end of a pseudo-terminal pair, Debian's ser2net on
 * the other end serving it on 127.0.0.1 as raw TCP and as RFC 2217, and the runner connecting over
 * the network.
 */
describe('through ser2net', () => {
  let pair: PtyPair
  let sim: SimProcess | undefined
  let ser2net: Ser2net
  const ports = { raw: 0, rfc2217: 0 }

  beforeAll(async () => {
    pair = await ptyPair()
    sim = await startSim(['--port', pair.device])
    ports.raw = await freePort()
    ports.rfc2217 = await freePort()
    ser2net = await startSer2net(pair.host, ports)
  })

  afterAll(async () => {
    await ser2net?.stop()
    await sim?.stop()
    await pair?.close()
  })

  it('tcp-echo.yaml passes over ser2net raw TCP (--port tcp://)', async () => {
    const port = await freePort()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', `tcp://127.0.0.1:${ports.raw}`, '--var', 'host.ip=127.0.0.1', '--var', `port=${port}`])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`running on tcp://127.0.0.1:${ports.raw}`)
    expect(run.stdout).toMatch(/PASSED .*7 passed/)
    expect(await isListening(port)).toBe(false)
  })

  it('tcp-echo.yaml passes over ser2net RFC 2217 (--port rfc2217://), line settings negotiated', async () => {
    const port = await freePort()
    const run = await runCli([
      'scenarios/tcp-echo.yaml',
      '--port',
      `rfc2217://127.0.0.1:${ports.rfc2217}`,
      '--baud',
      '115200',
      '--var',
      'host.ip=127.0.0.1',
      '--var',
      `port=${port}`,
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`running on rfc2217://127.0.0.1:${ports.rfc2217} at 115200 baud`)
    expect(run.stdout).toMatch(/PASSED .*7 passed/)
  })

  it('rfc2217:// to a raw TCP port says the server does not speak RFC 2217 (exit 3), without hanging', async () => {
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', `rfc2217://127.0.0.1:${ports.raw}`, '--var', 'host.ip=127.0.0.1'])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('did not accept the RFC 2217 COM-PORT option')
  })
})
