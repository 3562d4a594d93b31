import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { WebSocket } from 'ws'
import { maskedBytes } from '../dist/bytes/segments.js'
import { runScenario } from '../dist/engine/run-scenario.js'
import type { EngineEvent } from '../dist/engine/events.js'
import { simulatorTarget } from '../dist/targets/simulator.js'
import { loadScenario } from '../dist/source/load.js'
import { ROOT } from './pty.ts'

export interface WireBoundResult {
  baud: number
  bytesToDevice: number
  bytesFromDevice: number
  /** The steps' time: prerequisites (the Python server's start) are not the wire's business. */
  stepsMs: number
  /** Every byte both ways at 10 bit times (8N1), one after the other. */
  boundMs: number
  ratio: number
}

/**
 * tcp-echo.yaml on the simulator emulating a 115200-baud line with a device that takes no time of
 * its own: how close the run comes to the time the wire needs for its bytes.
 */
/**
 * The doc's echo server, started here and warmed with one connection: its first connection pays
 * Python's lazy imports (~70 ms), which is the server's start-up, not the wire's time.
 */
async function warmEchoServer(python: string, port: number): Promise<() => void> {
  const server = spawn(python, [`${ROOT}scenarios/servers/ws-server.py`, '--host', '127.0.0.1', '--port', String(port)], { stdio: 'ignore' })
  const listening = () => new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })
  try {
    const deadline = Date.now() + 10_000
    while (!(await listening())) {
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`the echo server did not start (${python}: is python3-websockets installed?)`)
      await new Promise((r) => setTimeout(r, 25))
    }
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}`)
      ws.once('open', () => ws.send('warm'))
      ws.once('message', () => (ws.close(), resolve()))
      ws.once('error', reject)
    })
  } catch (e) {
    server.kill()
    throw e
  }
  return () => server.kill()
}

export async function wireBound(python: string): Promise<WireBoundResult> {
  const stopServer = await warmEchoServer(python, 18765)
  try {
    // The first run also pays one-time costs (loading `ws` in the simulator): measure the second.
    await onePass(python)
    return await onePass(python)
  } finally {
    stopServer()
  }
}

async function onePass(python: string): Promise<WireBoundResult> {
  const baud = 115200
  const { scenario, diagnostics } = await loadScenario(`${ROOT}scenarios/tcp-echo.yaml`, { cliVars: new Map([['port', '18765']]), env: { PYTHON: python }, cwd: process.cwd() })
  if (!scenario) throw new Error(diagnostics.map((d) => d.message).join('\n'))
  const link = await simulatorTarget(`${ROOT}bench/fixtures/wire-115200.yaml`).open()
  let inSteps = false
  let toDevice = 0
  let fromDevice = 0
  const listener = (event: EngineEvent) => {
    if (event.type === 'step:start' && event.phase === 'steps') inSteps = true
    if (event.type === 'teardown:start') inSteps = false
    if (event.type === 'io' && inSteps) {
      const n = maskedBytes(event.segments).length
      if (event.dir === 'tx') toDevice += n
      else fromDevice += n
    }
  }
  try {
    const result = await runScenario(scenario, {
      link,
      variables: { cliVars: new Map([['port', '18765']]), env: { PYTHON: python }, hostIp: '127.0.0.1', onSimulator: true },
      env: { ...process.env, PYTHON: python },
      onEvent: listener,
      skipPrerequisites: 'the benchmark started and warmed the echo server itself',
    })
    if (result.status !== 'passed') throw new Error(`tcp-echo.yaml ${result.status}: ${JSON.stringify(result.steps.find((s) => s.failure)?.failure)}`)
    const stepsMs = result.steps.reduce((sum, s) => sum + s.durationMs, 0)
    const boundMs = ((toDevice + fromDevice) * 10 * 1000) / baud
    return { baud, bytesToDevice: toDevice, bytesFromDevice: fromDevice, stepsMs, boundMs, ratio: stepsMs / boundMs }
  } finally {
    await link.close()
  }
}
