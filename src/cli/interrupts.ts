import type { RunningPrerequisite } from '../engine/prerequisites.ts'
import { ExitCode } from './exit-codes.ts'

/** How the run is stopped from outside: the signals become two aborts, and nothing outlives the process. */
export interface Interrupts {
  /** First signal: the running steps stop, teardown runs, prerequisites are stopped. */
  soft: AbortSignal
  /** Second signal: teardown is cut short, prerequisites are killed at once. */
  hard: AbortSignal
  /** Prerequisites while they run, killed on a second signal and when the process exits. */
  processes: Set<RunningPrerequisite>
  /** The exit code for the signal that came first: 130 for SIGINT and SIGTERM, 129 for SIGHUP. */
  exitCode(): number | undefined
  /** Kills what is left and stops listening. */
  release(): void
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/**
 * Ctrl-C once: stop the step, run teardown, stop prerequisites. Twice: stop at once. A closed
 * terminal or a dropped ssh session (SIGHUP) is a Ctrl-C too: teardown and reports still happen.
 */
export function listenForInterrupts(say: (text: string) => void): Interrupts {
  const soft = new AbortController()
  const hard = new AbortController()
  const processes = new Set<RunningPrerequisite>()
  let first: (typeof SIGNALS)[number] | undefined
  const killAll = () => processes.forEach((p) => p.kill())
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (!soft.signal.aborted) {
        first = signal
        say(`\nInterrupted${signal === 'SIGINT' ? '' : ` (${signal})`}: running teardown and stopping prerequisites (Ctrl-C again to stop at once)\n`)
        soft.abort()
      } else {
        hard.abort()
        killAll()
      }
    }
    process.on(signal, handler)
    return [signal, handler] as const
  })
  process.on('exit', killAll)
  return {
    soft: soft.signal,
    hard: hard.signal,
    processes,
    exitCode: () => (first === undefined ? undefined : first === 'SIGHUP' ? ExitCode.HungUp : ExitCode.Interrupted),
    release() {
      killAll()
      for (const [signal, handler] of handlers) process.off(signal, handler)
      process.off('exit', killAll)
    },
  }
}
