import type { Step } from '../../source/types.ts'
import { describeBytes, payloadBytes } from '../expectations.ts'
import { sleep } from '../sleep.ts'
import type { StepHandler } from './context.ts'

type WriteStep = Extract<Step, { kind: 'write' }>

/**
 * `write:`: raw bytes now, with no prompt to wait for: data in passthrough, or `+++` to leave it,
 * which the firmware takes only with quiet before and after (`before`, `after`) and its three bytes
 * close together (one write; `gap` writes byte by byte for a device that needs it).
 */
export const writeStep: StepHandler<WriteStep> = {
  waitMs: (step) => step.timeoutMs,
  plan(step, ctx, note) {
    const { bytes, secrets } = payloadBytes(step.payload, ctx.vars)
    const sent = describeBytes(bytes, secrets)
    const write = async (cancelled: AbortSignal) => {
      if (step.beforeMs > 0 && (await sleep(step.beforeMs, cancelled))) return
      note({ at: ctx.now(), dir: 'tx', kind: 'payload', text: sent })
      if (step.gapMs > 0 && secrets.length === 0) {
        for (let i = 0; i < bytes.length; i++) {
          if (i > 0 && (await sleep(step.gapMs, cancelled))) return
          await ctx.session.write(bytes.subarray(i, i + 1))
        }
      } else {
        await ctx.session.write(bytes, secrets)
      }
      if (step.afterMs > 0) await sleep(step.afterMs, cancelled)
    }
    if (step.expect.length === 0) return { kind: 'write', sent, write }
    return { kind: 'exchange', mode: 'wait', freshOnly: true, sent, write }
  },
}
