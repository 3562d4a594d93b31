import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ROOT = new URL('..', import.meta.url).pathname
export const BIN = join(ROOT, 'bin/at-scenario.js')

/** A socat pseudo-terminal pair, with the simulator (`at-scenario sim --port`) on its device end. */
export async function simulatorOnPty(): Promise<{ host: string; device: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-bench-'))
  const device = join(dir, 'device')
  const host = join(dir, 'host')
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${host}`], { stdio: ['ignore', 'ignore', 'pipe'] })
  await new Promise<void>((resolve, reject) => {
    let log = ''
    socat.once('exit', (code) => reject(new Error(`socat exited (${code}): ${log}`)))
    socat.stderr.on('data', (d: Buffer) => {
      log += d.toString()
      if (/starting data transfer loop/.test(log)) resolve()
    })
  })
  const sim: ChildProcess = spawn(process.execPath, [BIN, 'sim', '--port', device], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    sim.stdout!.once('data', () => resolve())
    sim.once('exit', (code) => {
      socat.kill()
      reject(new Error(`at-scenario sim exited with ${code}`))
    })
  })
  return {
    host: realpathSync(host),
    device,
    close: async () => {
      for (const child of [sim, socat]) {
        if (child.exitCode !== null) continue
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGINT')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
