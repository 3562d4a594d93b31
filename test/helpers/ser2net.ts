import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isListening } from './net.ts'

export interface Ser2net {
  stop(): Promise<void>
}

/**
 * Debian's ser2net in the foreground, on 127.0.0.1 only, sharing one serial device on a raw TCP
 * port and on an RFC 2217 port (as a lab rack would).
 */
export async function startSer2net(device: string, ports: { raw: number; rfc2217: number }): Promise<Ser2net> {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-ser2net-'))
  const path = realpathSync(device)
  const connection = (name: string, accepter: string) => `connection: &${name}
  accepter: ${accepter}
  connector: serialdev,${path},115200n81,local
  options:
    kickolduser: true
    chardelay: false
`
  const config = join(dir, 'ser2net.yaml')
  writeFileSync(config, connection('raw', `tcp,127.0.0.1,${ports.raw}`) + connection('rfc', `telnet(rfc2217),tcp,127.0.0.1,${ports.rfc2217}`))
  const child: ChildProcess = spawn('ser2net', ['-n', '-d', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // Ready when both accepters take connections (no polling faster than the OS needs).
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`ser2net exited: ${log}`)
    if ((await isListening(ports.raw)) && (await isListening(ports.rfc2217))) break
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
