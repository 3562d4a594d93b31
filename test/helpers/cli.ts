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
  /** With `measurePeakRss`: the most memory the CLI process (or a child of it) had resident, in KiB. */
  peakRssKiB?: number
}

export interface CliOptions {
  env?: Record<string, string | undefined>
  cwd?: string
  /** Called with the child once it started, e.g. to send it a signal later. */
  onSpawn?: (child: ChildProcess) => void
  /** Called with stdout as it grows. */
  onStdout?: (soFar: string, child: ChildProcess) => void
  /**
   * Measure the CLI's peak resident memory, as the kernel accounts it: the CLI runs under a small
   * Python parent that waits for it and reads getrusage(RUSAGE_CHILDREN).ru_maxrss.
   */
  measurePeakRss?: boolean
}

/** The parent that measures: runs argv, writes the children's peak RSS (KiB on Linux) to fd 3, exits as the child did. */
const PEAK_RSS = [
  'import resource, subprocess, sys, os',
  'code = subprocess.call(sys.argv[1:])',
  'os.write(3, str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss).encode())',
  'sys.exit(code if code >= 0 else 128 - code)',
].join('\n')

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
    const argv = [process.execPath, '--', BIN, ...args]
    const [program, ...rest] = options.measurePeakRss ? ['python3', '-c', PEAK_RSS, ...argv] : argv
    const child = spawn(program!, rest, {
      cwd: options.cwd ?? ROOT,
      env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
      stdio: ['ignore', 'pipe', 'pipe', ...(options.measurePeakRss ? (['pipe'] as const) : [])],
    })
    let stdout = ''
    let stderr = ''
    let rss = ''
    child.stdio[3]?.on('data', (d: Buffer) => (rss += d.toString()))
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString()
      options.onStdout?.(stdout, child)
    })
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ...(options.measurePeakRss ? { peakRssKiB: Number(rss) } : {}) }))
    options.onSpawn?.(child)
  })
}
