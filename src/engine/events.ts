import type { Span } from '../diagnostics/diagnostic.ts'
import type { PrerequisiteResult, RunResult, StepFailure, StepResult } from './result.ts'

export interface PlannedStep {
  phase: 'steps' | 'teardown'
  index: number
  name: string
  span: Span
}

export interface PlannedPrerequisite {
  index: number
  name: string
}

/** What a run tells its listeners, in order. Text is already masked; only `io` carries raw bytes. */
export type EngineEvent =
  | {
      type: 'run:start'
      scenario: RunResult['scenario']
      target: string
      prerequisites: PlannedPrerequisite[]
      steps: PlannedStep[]
      /** The secret values. `io` bytes are raw (bytes are bytes), so a reporter that writes them masks these itself. */
      secrets: string[]
    }
  | { type: 'prerequisite:start'; index: number; name: string; command: string[] }
  | { type: 'prerequisite:end'; result: PrerequisiteResult }
  | {
      type: 'step:start'
      phase: 'steps' | 'teardown'
      index: number
      name: string
      kind: StepResult['kind']
      /** What the step waits for, as in `StepResult.expected` (masked); for progress output. */
      expected: string[]
      /** How long it may wait: its timeout (a sleep: its duration). */
      waitMs: number
    }
  | { type: 'step:end'; result: StepResult }
  /** A step failed and runs again (`retry`); `attempt` is the number of the attempt about to start. */
  | { type: 'step:retry'; phase: 'steps' | 'teardown'; index: number; attempt: number; failure: StepFailure }
  /** Raw bytes both ways, not masked (see `run:start` secrets); `at` is ms since the run started. */
  | { type: 'io'; dir: 'tx' | 'rx'; at: number; bytes: Uint8Array }
  | { type: 'teardown:start' }
  | { type: 'prerequisites:stopped'; results: PrerequisiteResult[] }
  | { type: 'run:end'; result: RunResult }

export type EngineListener = (event: EngineEvent) => void
