import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Ser2net } from './ser2net.ts'
import { isListening } from './net.ts'

/** One ser2net connection: its accepter (`telnet,tcp,127.0.0.1,PORT`...), the TCP port it listens on, its options. */
export interface Ser2netConnection {
  accepter: string
  port: number
  /** ser2net's `banner` (its escapes: `\r\n`, `\p`...), written in single quotes so YAML leaves them to ser2net. */
  banner?: string
  kickolduser?: boolean
}

/**
 * Debian's ser2net in the foreground on 127.0.0.1, with the connections given, all on one serial
 * device, `chardelay: false` (see platform notes). Ready once every accepter takes connections.
 */
export async function startSer2netWith(device: string, connections: readonly Ser2netConnection[]): Promise<Ser2net> {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-ser2net-'))
  const path = realpathSync(device)
  const yaml = connections
    .map(
      (c, i) => `connection: &c${i}
  accepter: ${c.accepter}
  connector: serialdev,${path},115200n81,local
  options:
    kickolduser: ${c.kickolduser ?? true}
    chardelay: false
${c.banner !== undefined ? `    banner: '${c.banner}'\n` : ''}`,
    )
    .join('')
  const config = join(dir, 'ser2net.yaml')
  writeFileSync(config, yaml)
  const child: ChildProcess = spawn('ser2net', ['-n', '-d', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`ser2net exited: ${log}`)
    const up = await Promise.all(connections.map((c) => isListening(c.port)))
    if (up.every(Boolean)) break
    await new Promise((r) => setTimeout(r, 25))
  }
  return {
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
