import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { pythonWithWebsockets } from './python.ts'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = `${ROOT}bin/at-scenario.js`

export interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  env?: Record<string, string | undefined>
  cwd?: string
  /** Called with the child once it started, e.g. to send it a signal later. */
  onSpawn?: (child: ChildProcess) => void
  /** Called with stdout as it grows. */
  onStdout?: (soFar: string, child: ChildProcess) => void
}

/**
 * Runs the real CLI (`node bin/at-scenario.js`) as a user would, with an environment that has a
 * Python able to run the doc's servers, and without a terminal (so progress is plain lines).
 */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PYTHON: pythonWithWebsockets(),
      ...options.env,
    }
    // `--` as in the bin's shebang: node then takes none of the arguments (such as --env-file) for its own.
    const child = spawn(process.execPath, ['--', BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      options.onStdout?.(stdout, child)
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
    options.onSpawn?.(child)
  })
}
