import type { CommandSpec } from '../../device.ts'
import { Flash } from '../../flash.ts'
import { bytesOf } from '../../text.ts'

/** The firmware flushes OK and waits a few ticks before it restarts (reference §10). */
const RESTART_DELAY_MS = 20

/** AT, ATE0, ATE1, AT+RST, AT+RESTORE, AT+GMR, AT+CMD?, AT+SYSSTORE, AT+SYSLOG, AT+SYSMSG (reference §2.3, §2.7, §10). */
export const basicCommands: [string, CommandSpec][] = [
  ['', { execute: () => 'OK' }],
  [
    'E0',
    {
      execute: (ctx) => {
        ctx.state.echo = false
        return 'OK' as const
      },
    },
  ],
  [
    'E1',
    {
      execute: (ctx) => {
        ctx.state.echo = true
        return 'OK' as const
      },
    },
  ],
  [
    '+RST',
    {
      execute: async (ctx) => {
        ctx.print('\r\nOK\r\n')
        // Still "processing" until the chip goes down: input meanwhile gets busy p...
        await ctx.sleep(RESTART_DELAY_MS)
        void ctx.device.restart()
        return 'none' as const
      },
    },
  ],
  [
    '+RESTORE',
    {
      execute: async (ctx) => {
        ctx.print('\r\nOK\r\n')
        await ctx.sleep(RESTART_DELAY_MS)
        Object.assign(ctx.flash, new Flash())
        void ctx.device.restart()
        return 'none' as const
      },
    },
  ],
  [
    '+GMR',
    {
      execute: (ctx) => {
        for (const line of ctx.profile.gmr) ctx.line(bytesOf(line))
        return 'OK' as const
      },
    },
  ],
  [
    '+CMD',
    {
      query: (ctx) => {
        ctx.device.commandNames().forEach(([name, spec], index) => {
          const flag = (h: unknown) => (h ? 1 : 0)
          ctx.line(`+CMD:${index},"AT${name}",${flag(spec.test)},${flag(spec.query)},${flag(spec.set)},${flag(spec.execute)}`)
        })
        return 'OK' as const
      },
    },
  ],
  [
    '+SYSSTORE',
    {
      query: (ctx) => {
        ctx.line(`+SYSSTORE:${ctx.flash.sysstore ? 1 : 0}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1)
        ctx.flash.sysstore = args.int(0, 0, 1) === 1
        return 'OK' as const
      },
    },
  ],
  [
    '+SYSLOG',
    {
      query: (ctx) => {
        ctx.line(`+SYSLOG:${ctx.state.syslog ? 1 : 0}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1)
        ctx.state.syslog = args.int(0, 0, 1) === 1
        return 'OK' as const
      },
    },
  ],
  [
    '+SYSMSG',
    {
      // Printed without its CR LF: the \r\n that starts \r\nOK\r\n ends it (reference §2.4).
      query: (ctx) => {
        ctx.print(`+SYSMSG:${ctx.state.sysmsg}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1)
        ctx.state.sysmsg = args.int(0, 0, 7)
        if (ctx.flash.sysstore) ctx.flash.sysmsg = ctx.state.sysmsg
        return 'OK' as const
      },
    },
  ],
]
