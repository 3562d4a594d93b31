import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, isListening } from './net.ts'

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
 * A real mosquitto broker on free loopback ports, with a generated config (anonymous clients,
 * no persistence), for tests of the simulator's MQTT commands. Throws a clear error when the
 * Debian package is missing, instead of tests that hang on a broker that never starts.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  if (spawnSync('mosquitto', ['-h'], { stdio: 'ignore' }).error) {
    throw new Error('mosquitto is not installed: `apt-get install mosquitto` (scripts/setup.sh installs it)')
  }
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-mosquitto-'))
  const port = await freePort()
  const tlsPort = options.tls ? await freePort() : undefined
  const wsPort = options.websockets ? await freePort() : undefined
  const lines = ['per_listener_settings false', 'allow_anonymous true', 'persistence false', 'log_dest stdout', `listener ${port} 127.0.0.1`]
  const { tls } = options
  const certLines = tls ? [`certfile ${tls.cert}`, `keyfile ${tls.key}`] : []
  if (tlsPort) lines.push(`listener ${tlsPort} 127.0.0.1`, ...certLines, ...(tls?.clientCa ? [`cafile ${tls.clientCa}`, 'require_certificate true'] : []))
  if (wsPort) lines.push(`listener ${wsPort} 127.0.0.1`, 'protocol websockets', ...certLines)
  const config = join(dir, 'mosquitto.conf')
  writeFileSync(config, `${lines.join('\n')}\n`)
  const child: ChildProcess = spawn('mosquitto', ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()))
  const deadline = Date.now() + 10_000
  for (const p of [port, tlsPort, wsPort]) {
    if (p === undefined) continue
    while (!(await isListening(p))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL')
        rmSync(dir, { recursive: true, force: true })
        throw new Error(`mosquitto did not start: ${log}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  return {
    port,
    ...(tlsPort ? { tlsPort } : {}),
    ...(wsPort ? { wsPort } : {}),
    log: () => log,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
