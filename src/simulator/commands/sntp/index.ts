import { timezoneOffsetMinutes } from '../../clock.ts'
import type { CommandSpec } from '../../device.ts'
import { DEFAULT_SNTP_SERVERS } from '../../sntp.ts'

const MAX_SERVER_LENGTH = 32

/** AT+CIPSNTPCFG, AT+CIPSNTPTIME?, AT+CIPSNTPINTV (reference §9). */
export const sntpCommands: [string, CommandSpec][] = [
  [
    '+CIPSNTPCFG',
    {
      query: (ctx) => {
        const { sntp } = ctx.state
        const servers = sntp.servers.map((s) => `,"${s}"`).join('')
        ctx.line(`+CIPSNTPCFG:${sntp.servers.length > 0 ? 1 : 0},${sntp.timezone}${servers}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1, 2, 3, 4, 5)
        const enable = args.int(0, 0, 1) === 1
        const timezone = args.int(1, -Infinity, Infinity, ctx.state.sntp.timezone)
        const offset = timezoneOffsetMinutes(timezone)
        if (offset === undefined) throw args.outOfRange(1)
        const servers: string[] = []
        for (let i = 2; i < args.count; i++) {
          if (!args.has(i)) continue
          const server = args.str(i, undefined, MAX_SERVER_LENGTH)
          if (server.length === 0) throw args.outOfRange(i)
          servers.push(server)
        }
        ctx.state.sntp.configure(enable, timezone, offset, servers.length > 0 ? servers : DEFAULT_SNTP_SERVERS)
        return 'OK' as const
      },
    },
  ],
  [
    '+CIPSNTPTIME',
    {
      // No CR LF after the line: the \r\n that starts \r\nOK\r\n ends it, so no blank line (reference §9.2).
      query: (ctx) => {
        ctx.print(`+CIPSNTPTIME:${ctx.state.sntp.localTime()}`)
        return 'OK' as const
      },
    },
  ],
  [
    '+CIPSNTPINTV',
    {
      query: (ctx) => {
        ctx.line(`+CIPSNTPINTV:${ctx.state.sntp.intervalSec}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1)
        ctx.state.sntp.intervalSec = args.int(0, 15, 4_294_967)
        return 'OK' as const
      },
    },
  ],
]
