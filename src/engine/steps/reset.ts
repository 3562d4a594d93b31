import { lineMatcher } from '../../protocol/matchers.ts'
import type { Step } from '../../source/types.ts'
import { sleep } from '../sleep.ts'
import type { StepHandler } from './context.ts'

type ResetStep = Extract<Step, { kind: 'reset' }>

const HARD_RESET_PULSE_MS = 100
const PULSE = 'RTS pulse with DTR released (EN low for 100 ms, GPIO0 high: run mode)'

class ResetFailed extends Error {}

/**
 * Not written in scenarios: the engine's first step for `device.reset`/`--reset`. It waits for the
 * boot banner; after AT+RST, for its OK first.
 */
export const resetStep: StepHandler<ResetStep> = {
  matchers(step) {
    const matchers = step.how === 'soft' ? [lineMatcher('OK'), lineMatcher('ready')] : [lineMatcher('ready')]
    return { matchers, labels: matchers.map((m) => m.label) }
  },
  waitMs: (step) => step.timeoutMs,
  plan(step, ctx, note) {
    if (step.how === 'soft') {
      return {
        kind: 'exchange',
        mode: 'command',
        sent: 'AT+RST',
        write: async () => {
          note({ at: ctx.now(), dir: 'tx', kind: 'command', text: 'AT+RST' })
          await ctx.session.sendCommand('AT+RST')
        },
      }
    }
    const lab = ctx.hardReset
    if (lab) {
      return {
        kind: 'exchange',
        mode: 'wait',
        sent: `(${lab.label})`,
        freshOnly: true,
        // The command runs to its end (a relay left half-way is worse than a slow step): a `ready`
        // during it counts, once it is done.
        settleAfterWrite: true,
        write: async (cancelled) => {
          note({ at: ctx.now(), dir: 'tx', kind: 'command', text: `(${lab.label})` })
          try {
            await lab.run(cancelled)
          } catch (e) {
            throw new ResetFailed((e as Error).message)
          }
        },
        writeFailure: (e) => (e instanceof ResetFailed ? { reason: 'reset-failed', message: `hard reset failed: ${e.message}` } : undefined),
      }
    }
    const setLines = ctx.setLines
    if (!setLines) {
      return {
        kind: 'error',
        failure: {
          reason: 'reset-failed',
          message: `${ctx.linkDescription ?? 'this port'} cannot drive DTR/RTS, so it cannot hard-reset the board; use \`device.reset: soft\` (AT+RST) or \`--reset none\``,
        },
      }
    }
    return {
      kind: 'exchange',
      mode: 'wait',
      sent: PULSE,
      // After a hard reset only the `ready` it causes counts, not one from before.
      freshOnly: true,
      write: async (cancelled) => {
        note({ at: ctx.now(), dir: 'tx', kind: 'command', text: `(${PULSE})` })
        try {
          // The esptool sequence for run mode: DTR released keeps GPIO0 high, RTS pulls EN low.
          await setLines({ dtr: false, rts: true })
          await sleep(HARD_RESET_PULSE_MS, cancelled)
          await setLines({ dtr: false, rts: false })
        } catch (e) {
          throw new ResetFailed((e as Error).message)
        }
      },
      writeFailure: (e) => (e instanceof ResetFailed ? { reason: 'reset-failed', message: `hard reset failed: ${e.message}` } : undefined),
    }
  },
}
