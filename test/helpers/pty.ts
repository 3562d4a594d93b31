import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface PtyPair {
  /** One end: where the simulator (the device) sits. */
  device: string
  /** The other end: what the runner opens with --port. */
  host: string
  close(): Promise<void>
}

/** A real pseudo-terminal pair from socat, as a USB serial adapter would look to the runner. */
export async function ptyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-test-pty-'))
  const device = join(dir, 'device')
  const host = join(dir, 'host')
  const socat: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${host}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  await new Promise<void>((resolve, reject) => {
    let log = ''
    socat.once('error', reject)
    socat.once('exit', (code) => reject(new Error(`socat exited (${code}): ${log}`)))
    socat.stderr!.on('data', (d: Buffer) => {
      log += d.toString()
      if (/starting data transfer loop/.test(log)) resolve()
    })
  })
  return {
    device,
    host,
    close: async () => {
      if (socat.exitCode === null) {
        const exited = new Promise((r) => socat.once('exit', r))
        socat.kill()
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
