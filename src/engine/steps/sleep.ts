import type { Step } from '../../source/types.ts'
import type { StepHandler } from './context.ts'

type SleepStep = Extract<Step, { kind: 'sleep' }>

/** `sleep: 500ms`: a pause, interrupted by Ctrl-C. */
export const sleepStep: StepHandler<SleepStep> = {
  matchers: () => ({ matchers: [], labels: [] }),
  waitMs: (step) => step.durationMs,
  plan: (step) => ({ kind: 'pause', ms: step.durationMs }),
}
