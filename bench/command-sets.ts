import { spawn } from 'node:child_process'
import { connect, createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import { runScenario } from '../dist/engine/run-scenario.js'
import type { OpenLink } from '../dist/link/stream-link.js'
import { parseScenario } from '../dist/source/load.js'
import type { Target } from '../dist/targets/index.js'
import { ROOT } from './pty.ts'
import { stats } from './stats.ts'
import type { Stats } from './stats.ts'

/** A round trip of a command set: the engine's figure (the steps' times) and a hand-written loop's. */
export interface RoundTrips {
  engine: Stats
  raw: Stats
}

const JOIN = '  - send: AT+CWJAP="espressif","1234567890"\n    expect: [WIFI CONNECTED, WIFI GOT IP, OK]\n'

/**
 * TCP send and receive on the simulator: AT+CIPSEND=4, the 4 bytes, and their echo back as
 * `+IPD,4:test` from a TCP echo server of this process. One round trip is the CIPSEND step plus
 * the payload step (which waits for the +IPD).
 */
export async function tcpRoundTrips(target: Target, count: number): Promise<RoundTrips> {
  const echo = await echoServer()
  try {
    const setup = `${JOIN}  - send: AT+CIPSTART="TCP","127.0.0.1",${echo.port}\n    expect: [CONNECT, OK]\n`
    const trip = '  - send: AT+CIPSEND=4\n    expect: [OK, ">"]\n  - payload: test\n    expect: "+IPD,4:test"\n'
    const engine = await engineTrips(target, setup, trip, count, 2)
    const raw = await rawTrips(target, ['AT+CWJAP="espressif","1234567890"\r\n', 'OK\r\n'], [`AT+CIPSTART="TCP","127.0.0.1",${echo.port}\r\n`, 'OK\r\n'], count, async (link, until) => {
      await link.write(Buffer.from('AT+CIPSEND=4\r\n'))
      await until('>')
      await link.write(Buffer.from('test'))
      await until('+IPD,4:test\r\n')
    })
    return { engine, raw }
  } finally {
    await echo.close()
  }
}

/**
 * An MQTT publish round trip on the simulator: AT+MQTTPUB (QoS 0) to a topic the device
 * subscribed to, until the broker's copy comes back as `+MQTTSUBRECV` (mosquitto, started by
 * scenarios/servers/mqtt-broker.py). One step.
 */
export async function mqttRoundTrips(target: Target, count: number, python: string): Promise<RoundTrips> {
  const broker = await mosquitto(python)
  try {
    const cfg = 'AT+MQTTUSERCFG=0,1,"bench","","",0,0,""'
    const conn = `AT+MQTTCONN=0,"127.0.0.1",${broker.port},0`
    const setup = `${JOIN}  - send: '${cfg}'\n  - send: '${conn}'\n    expect: [OK]\n  - send: 'AT+MQTTSUB=0,"t",0'\n`
    const trip = `  - send: 'AT+MQTTPUB=0,"t","test",0,0'\n    expect: '+MQTTSUBRECV:0,"t",4,test'\n`
    const engine = await engineTrips(target, setup, trip, count, 1)
    const raw = await rawTrips(target, ['AT+CWJAP="espressif","1234567890"\r\n', 'OK\r\n'], [`${cfg}\r\n`, 'OK\r\n', `${conn}\r\n`, 'OK\r\n', 'AT+MQTTSUB=0,"t",0\r\n', 'OK\r\n'], count, async (link, until) => {
      await link.write(Buffer.from('AT+MQTTPUB=0,"t","test",0,0\r\n'))
      // The message may come back before the OK or after it: the trip ends when both are in.
      await until('+MQTTSUBRECV:0,"t",4,test\r\n', '\r\nOK\r\n')
    })
    return { engine, raw }
  } finally {
    await broker.close()
  }
}

/** The scenario: `setup`, then `count` times `trip` (`perTrip` steps); per-trip sums of the steps' durations. */
async function engineTrips(target: Target, setup: string, trip: string, count: number, perTrip: number): Promise<Stats> {
  const text = `name: round trips\nsteps:\n${setup}${trip.repeat(count)}`
  const { scenario, diagnostics } = parseScenario('bench.yaml', text, { cliVars: new Map(), env: {}, cwd: ROOT })
  if (!scenario) throw new Error(diagnostics.map((d) => d.message).join('\n'))
  const link = await target.open()
  try {
    const result = await runScenario(scenario, { link, variables: { cliVars: new Map(), env: {}, hostIp: '127.0.0.1', onSimulator: target.onSimulator }, env: {} })
    const failed = result.steps.filter((s) => s.status !== 'passed')
    if (failed.length > 0) throw new Error(`${failed.length} steps did not pass: ${failed[0]!.name}: ${failed[0]!.failure?.message}`)
    const steps = result.steps.slice(result.steps.length - count * perTrip)
    const trips: number[] = []
    for (let i = 0; i < steps.length; i += perTrip) trips.push(steps.slice(i, i + perTrip).reduce((n, s) => n + s.durationMs, 0))
    return stats(trips)
  } finally {
    await link.close()
  }
}

/** Resolves once every text has come (in any order), and drops what came up to the last of them. */
type Until = (...texts: string[]) => Promise<void>

/**
 * The same trips in a minimal loop over the same link: writes, and waits for text in what came
 * back. `setup` lists command lines, each followed by what ends its answer.
 */
async function rawTrips(target: Target, join: string[], setup: string[], count: number, trip: (link: OpenLink, until: Until) => Promise<void>): Promise<Stats> {
  const link = await target.open()
  let text = ''
  let waiting: { what: string[]; resolve: () => void } | undefined
  const check = () => {
    if (!waiting) return
    const ends = waiting.what.map((w) => {
      const at = text.indexOf(w)
      return at < 0 ? -1 : at + w.length
    })
    if (ends.some((e) => e < 0)) return
    text = text.slice(Math.max(...ends))
    const w = waiting
    waiting = undefined
    w.resolve()
  }
  link.onData((bytes) => {
    text += Buffer.from(bytes).toString('latin1')
    check()
  })
  link.onClose(() => {})
  const until: Until = (...what) =>
    new Promise((resolve) => {
      waiting = { what, resolve }
      check()
    })
  try {
    await until('ready\r\n')
    const lines = [...join, ...setup]
    for (let i = 0; i < lines.length; i += 2) {
      await link.write(Buffer.from(lines[i]!))
      await until(lines[i + 1]!)
    }
    const samples: number[] = []
    for (let i = 0; i < count; i++) {
      const t = performance.now()
      await trip(link, until)
      samples.push(performance.now() - t)
    }
    return stats(samples)
  } finally {
    await link.close()
  }
}

async function echoServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((s) => {
    sockets.add(s)
    s.on('data', (d) => s.write(d))
    s.on('error', () => undefined)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

async function mosquitto(python: string): Promise<{ port: number; close: () => Promise<void> }> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as AddressInfo).port
      probe.close(() => resolve(p))
    })
  })
  const child = spawn(python, [`${ROOT}scenarios/servers/mqtt-broker.py`, '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'ignore', 'inherit'] })
  const deadline = Date.now() + 10_000
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port })
      s.once('connect', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
    })
    if (up) break
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('mosquitto did not start (apt-get install mosquitto)')
    await new Promise((r) => setTimeout(r, 20))
  }
  return {
    port,
    close: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}
