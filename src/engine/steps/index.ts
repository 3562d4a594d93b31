import type { Step, StepKind } from '../../source/types.ts'
import type { StepHandler } from './context.ts'
import { payloadStep } from './payload.ts'
import { resetStep } from './reset.ts'
import { sendStep } from './send.ts'
import { sleepStep } from './sleep.ts'
import { waitStep } from './wait.ts'
import { writeStep } from './write.ts'

/** Every kind of step the engine runs: adding one is a file and a line here. */
export const STEP_KINDS: { [K in StepKind]: StepHandler<Extract<Step, { kind: K }>> } = {
  send: sendStep,
  payload: payloadStep,
  write: writeStep,
  wait: waitStep,
  sleep: sleepStep,
  reset: resetStep,
}

/** The handler of a step's kind. */
export function stepHandler<S extends Step>(step: S): StepHandler<S> {
  return STEP_KINDS[step.kind] as unknown as StepHandler<S>
}
