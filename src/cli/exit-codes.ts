/** The exit codes of scenario-format.md. */
export const ExitCode = {
  Passed: 0,
  Failed: 1,
  BadInput: 2,
  CouldNotRun: 3,
  Interrupted: 130,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]
