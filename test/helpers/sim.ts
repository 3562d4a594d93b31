import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { BIN, ROOT } from './cli.ts'

export interface SimProcess {
  child: ChildProcess
  /** The first line `at-scenario sim` prints: the device path or tcp:// URL. */
  address: string
  stderr(): string
  /** Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>
}

/** Starts `at-scenario sim ...args` (the built CLI) and resolves once it printed where it serves. */
export function startSim(args: string[]): Promise<SimProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'sim', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    const stop = () =>
      new Promise<number | null>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode)
        child.once('exit', (code) => done(code))
        child.kill('SIGINT')
      })
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const line = out.split('\n')[0]
      if (out.includes('\n') && line) resolve({ child, address: line, stderr: () => err, stop })
    })
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.once('exit', (code) => reject(Object.assign(new Error(`sim exited with ${code}: ${err}`), { code, stderr: err })))
  })
}
