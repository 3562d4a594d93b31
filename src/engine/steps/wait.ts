import type { Step } from '../../source/types.ts'
import type { StepHandler } from './context.ts'

type WaitStep = Extract<Step, { kind: 'wait' }>

/** `wait:`: nothing is written; the lines may have arrived before the step began. */
export const waitStep: StepHandler<WaitStep> = {
  waitMs: (step) => step.timeoutMs,
  plan: () => ({ kind: 'exchange', mode: 'wait' }),
}
