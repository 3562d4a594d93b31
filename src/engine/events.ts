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

/** What a run tells its listeners, in order. Text is already masked: secrets never leave the engine. */
export type EngineEvent =
  | { type: 'run:start'; scenario: RunResult['scenario']; target: string; prerequisites: PlannedPrerequisite[]; steps: PlannedStep[] }
  | { type: 'prerequisite:start'; index: number; name: string; command: string[] }
  | { type: 'prerequisite:end'; result: PrerequisiteResult }
  | { type: 'step:start'; phase: 'steps' | 'teardown'; index: number; name: string }
  | { type: 'step:end'; result: StepResult }
  /** A step failed and runs again (`retry`); `attempt` is the number of the attempt about to start. */
  | { type: 'step:retry'; phase: 'steps' | 'teardown'; index: number; attempt: number; failure: StepFailure }
  /** Raw bytes both ways; `text` is their masked printable form. */
  | { type: 'io'; dir: 'tx' | 'rx'; at: number; bytes: Uint8Array }
  | { type: 'teardown:start' }
  | { type: 'prerequisites:stopped'; results: PrerequisiteResult[] }
  | { type: 'run:end'; result: RunResult }

export type EngineListener = (event: EngineEvent) => void
