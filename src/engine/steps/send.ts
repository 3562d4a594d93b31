import { maskTemplated, utf8Spans } from '../../bytes/secret-scan.ts'
import type { Step } from '../../source/types.ts'
import type { StepHandler } from './context.ts'

type SendStep = Extract<Step, { kind: 'send' }>

/**
 * `send: AT+...`: the command and CR LF, then its response up to a final result. Values inside a
 * quoted parameter are escaped as the firmware reads them; a value with a line break (a capture, say:
 * the others were checked before the run) errors the step before anything is written, since the
 * device would run what follows the break as a command of its own.
 */
export const sendStep: StepHandler<SendStep> = {
  waitMs: (step) => step.timeoutMs,
  plan(step, ctx, note) {
    const rendered = ctx.vars.renderCommand(step.command)
    if (rendered.lineBreakIn !== undefined) {
      return {
        kind: 'error',
        failure: {
          reason: 'unsafe-value',
          message: `the value of \`${rendered.lineBreakIn}\` contains a line break (CR or LF): written into the command, it would end it and make the device run what follows as another command; nothing was written`,
        },
      }
    }
    // Masked where a secret was templated in, and nowhere else: the rest is what was sent.
    const sent = maskTemplated(rendered)
    const commandName = /^AT(\+[A-Za-z0-9_]+)/i.exec(rendered.text)?.[1]?.toUpperCase()
    const write = async () => {
      note({ at: ctx.now(), dir: 'tx', kind: 'command', text: sent })
      await ctx.session.sendCommand(rendered.text, utf8Spans(rendered))
    }
    if (!step.awaitsAnswer) return { kind: 'write', sent, write }
    // Polling (`poll:`): every answer counts, from the first write on, whichever write it answers;
    // `busy p...` and errors in between are not failures.
    if (step.poll) return { kind: 'exchange', mode: 'wait', freshOnly: true, sent, write, repeatWriteMs: step.poll.everyMs }
    return { kind: 'exchange', mode: 'command', sent, ...(commandName ? { commandName } : {}), write }
  },
}
