import type { Step } from '../../source/types.ts'
import { describeBytes, payloadBytes } from '../expectations.ts'
import type { StepHandler } from './context.ts'

type PayloadStep = Extract<Step, { kind: 'payload' }>

/**
 * `payload:`: raw bytes for the `>` prompt, nothing appended. The device drops bytes that arrive
 * before its `>` (reference §4), so the step waits for it; its answer is what comes after.
 */
export const payloadStep: StepHandler<PayloadStep> = {
  waitMs: (step) => step.timeoutMs,
  plan(step, ctx, note) {
    const { bytes, secrets } = payloadBytes(step.payload, ctx.vars)
    const sent = describeBytes(bytes, secrets)
    return {
      kind: 'exchange',
      mode: 'payload',
      sent,
      awaitPrompt: true,
      write: async () => {
        note({ at: ctx.now(), dir: 'tx', kind: 'payload', text: sent })
        await ctx.session.write(bytes, secrets)
      },
    }
  },
}
