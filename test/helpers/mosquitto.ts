import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { ROOT } from './cli.ts'
import { freePort, isListening } from './net.ts'
import { pythonWithWebsockets } from './python.ts'

export interface Mosquitto {
  /** Plain MQTT on 127.0.0.1. */
  port: number
  /** MQTT over TLS, when asked for: server certificate, and a client certificate required with `clientCa`. */
  tlsPort?: number
  /** MQTT over WebSocket, when asked for (over TLS with `tls`). */
  wsPort?: number
  /** What the broker logged, for a failing test's message. */
  log(): string
  close(): Promise<void>
}

export interface MosquittoOptions {
  tls?: { cert: string; key: string; clientCa?: string }
  websockets?: boolean
}

/**
 * A real mosquitto broker on free loopback ports, started as the scenarios start it
 * (scenarios/servers/mqtt-broker.py with scenarios/servers/mosquitto.conf), for tests of the
 * simulator's MQTT commands. Throws a clear error when the Debian package is missing, instead of
 * tests that hang on a broker that never starts.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  if (spawnSync('mosquitto', ['-h'], { stdio: 'ignore' }).error) {
    throw new Error('mosquitto is not installed: `apt-get install mosquitto` (scripts/setup.sh installs it)')
  }
  const port = await freePort()
  const tlsPort = options.tls ? await freePort() : undefined
  const wsPort = options.websockets ? await freePort() : undefined
  const { tls } = options
  const args = [`${ROOT}scenarios/servers/mqtt-broker.py`, '--host', '127.0.0.1', '--port', String(port)]
  if (tlsPort) args.push('--tls-port', String(tlsPort))
  if (wsPort) args.push('--ws-port', String(wsPort))
  if (tls) args.push('--cert', tls.cert, '--key', tls.key, ...(tls.clientCa ? ['--ca', tls.clientCa] : []))
  const child: ChildProcess = spawn(pythonWithWebsockets(), args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  const deadline = Date.now() + 10_000
  for (const p of [port, tlsPort, wsPort]) {
    if (p === undefined) continue
    while (!(await isListening(p))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop()
        throw new Error(`mosquitto did not start: ${log}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  return { port, ...(tlsPort ? { tlsPort } : {}), ...(wsPort ? { wsPort } : {}), log: () => log, close: stop }
}
