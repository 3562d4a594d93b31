import type { SuiteOutcome, SuiteResult } from '../engine/run-suite.ts'

/** The exit codes of scenario-format.md, and the one the project added (4). */
export const ExitCode = {
  Passed: 0,
  Failed: 1,
  BadInput: 2,
  CouldNotRun: 3,
  /** Every answer was right, but some came later than their step's `budget`: the device got slower. */
  OverBudget: 4,
  /** SIGHUP: the terminal closed or the ssh session dropped; handled like Ctrl-C. */
  HungUp: 129,
  Interrupted: 130,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

const EXIT_OF: Record<SuiteOutcome, ExitCodeValue> = {
  passed: ExitCode.Passed,
  'over-budget': ExitCode.OverBudget,
  failed: ExitCode.Failed,
  'not-run': ExitCode.CouldNotRun,
  'could-not-open': ExitCode.CouldNotRun,
  interrupted: ExitCode.Interrupted,
}

/**
 * Which code wins when scenarios end differently: could not run beats a failure, a failure beats
 * answers that were only late (a wrong answer matters more than a slow one), which beats a pass.
 * Not the largest number: 4 was added after 3.
 */
const SEVERITY: readonly number[] = [ExitCode.Passed, ExitCode.OverBudget, ExitCode.Failed, ExitCode.CouldNotRun, ExitCode.Interrupted]

/** The worse of two exit codes, by SEVERITY (a signal's 129 counts as an interruption). */
export function worstOf(a: number, b: number): number {
  const rank = (code: number) => (code === ExitCode.HungUp ? SEVERITY.indexOf(ExitCode.Interrupted) : SEVERITY.indexOf(code))
  return rank(b) > rank(a) ? b : a
}

/** The worst outcome's code; an interrupted run exits with its signal's code (130, SIGHUP 129). */
export function exitCodeOf(result: SuiteResult, signalled: number | undefined): number {
  if (result.interrupted) return signalled ?? ExitCode.Interrupted
  const codes = result.outcomes.map((o) => (o === undefined ? ExitCode.Passed : EXIT_OF[o]))
  return codes.reduce<number>(worstOf, ExitCode.Passed)
}
