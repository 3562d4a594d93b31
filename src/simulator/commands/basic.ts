import type { CommandSpec } from '../device.ts'

/** AT, ATE0, ATE1, AT+RST (reference §10). */
export const basicCommands: Record<string, CommandSpec> = {
  '': { execute: () => 'OK' },
  E0: {
    execute: (ctx) => {
      ctx.state.echo = false
      return 'OK'
    },
  },
  E1: {
    execute: (ctx) => {
      ctx.state.echo = true
      return 'OK'
    },
  },
  '+RST': {
    execute: (ctx) => {
      ctx.print('\r\nOK\r\n')
      // The firmware flushes OK, waits a few ticks, and restarts; `ready` follows.
      setTimeout(() => void ctx.device.restart(), 20)
      return 'none'
    },
  },
  '+SYSLOG': {
    query: (ctx) => {
      ctx.line(`+SYSLOG:${ctx.state.syslog ? 1 : 0}`)
      return 'OK'
    },
    set: (ctx, args) => {
      args.expectCount(1)
      ctx.state.syslog = args.int(0, 0, 1) === 1
      return 'OK'
    },
  },
}
