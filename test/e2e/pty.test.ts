import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { BIN, ROOT, runCli } from '../helpers/cli.ts'
import { freePort, isListening } from '../helpers/net.ts'
import { ptyPair } from '../helpers/pty.ts'
import type { PtyPair } from '../helpers/pty.ts'

/** Starts `at-scenario sim` and resolves with the address it prints. */
function startSim(args: string[]): Promise<{ child: ChildProcess; address: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'sim', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const line = out.split('\n')[0]
      if (out.includes('\n') && line) resolve({ child, address: line })
    })
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    child.once('exit', (code) => reject(new Error(`sim exited with ${code}: ${err}`)))
  })
}

function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.kill('SIGINT')
  })
}

describe('over a real pseudo-terminal, through the real serialport package', () => {
  let pair: PtyPair | undefined
  let sim: ChildProcess | undefined
  afterEach(async () => {
    if (sim) await stop(sim)
    await pair?.close()
    sim = undefined
    pair = undefined
  })

  it('tcp-echo.yaml passes with the simulator served on one end of a socat pair and --port on the other', async () => {
    pair = await ptyPair()
    sim = (await startSim(['--port', pair.device])).child
    const port = await freePort()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', pair.host, '--var', 'host.ip=127.0.0.1', '--var', `port=${port}`])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`running on ${pair.host} at 115200 baud`)
    expect(run.stdout).toMatch(/✔ Receive 4 bytes/)
    expect(run.stdout).toMatch(/PASSED .*7 passed/)
    expect(await isListening(port)).toBe(false)
    // The simulator is still serving: the runner closed its end cleanly.
    expect(sim.exitCode).toBe(null)
  })

  it('at-scenario sim --pty prints a device path that tcp-echo.yaml runs against, and stops on Ctrl-C', async () => {
    const served = await startSim(['--pty'])
    sim = served.child
    expect(served.address).toMatch(/^\/dev\/pts\/\d+$/)
    const port = await freePort()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', served.address, '--var', 'host.ip=127.0.0.1', '--var', `port=${port}`])
    expect(run.code).toBe(0)
    expect(await stop(sim)).toBe(0)
  })

  it('at-scenario sim --listen serves a device per TCP connection; --port tcp:// runs against it', async () => {
    const listen = await freePort()
    const served = await startSim(['--listen', `tcp://127.0.0.1:${listen}`])
    sim = served.child
    expect(served.address).toBe(`tcp://127.0.0.1:${listen}`)
    const port = await freePort()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', served.address, '--var', 'host.ip=127.0.0.1', '--var', `port=${port}`])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/PASSED .*7 passed/)
  })
})
