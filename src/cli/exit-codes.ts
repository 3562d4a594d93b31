import type { SuiteResult } from '../engine/run-suite.ts'

/** The exit codes of scenario-format.md. */
export const ExitCode = {
  Passed: 0,
  Failed: 1,
  BadInput: 2,
  CouldNotRun: 3,
  /** SIGHUP: the terminal closed or the ssh session dropped; handled like Ctrl-C. */
  HungUp: 129,
  Interrupted: 130,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

const EXIT_OF = { passed: ExitCode.Passed, failed: ExitCode.Failed, 'not-run': ExitCode.CouldNotRun, 'could-not-open': ExitCode.CouldNotRun, interrupted: ExitCode.Interrupted } as const

/** The worst outcome's code; an interrupted run exits with its signal's code (130, SIGHUP 129). */
export function exitCodeOf(result: SuiteResult, signalled: number | undefined): number {
  if (result.interrupted) return signalled ?? ExitCode.Interrupted
  return Math.max(ExitCode.Passed, ...result.outcomes.map((o) => (o === undefined ? ExitCode.Passed : EXIT_OF[o])))
}
