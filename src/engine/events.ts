import type { Segment } from '../bytes/segments.ts'
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

/** What a run tells its listeners, in order. Everything is already masked, the bytes of `io` too. */
export type EngineEvent =
  | {
      type: 'run:start'
      scenario: RunResult['scenario']
      target: string
      prerequisites: PlannedPrerequisite[]
      steps: PlannedStep[]
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
  /**
   * Bytes both ways, in the order they crossed; `at` is ms since the run started. A secret is a
   * segment of its own (its name, never its bytes): show it as `***`, or record its name.
   */
  | { type: 'io'; dir: 'tx' | 'rx'; at: number; segments: Segment[] }
  /** Something the user should know about the running step (a result taken despite a trailing space). */
  | { type: 'note'; text: string }
  | { type: 'teardown:start' }
  | { type: 'prerequisites:stopped'; results: PrerequisiteResult[] }
  | { type: 'run:end'; result: RunResult }

export type EngineListener = (event: EngineEvent) => void
