import { AtError } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'

/** No limit is documented beyond free memory; this keeps a typo from swallowing megabytes. */
const MAX_HEADER_LENGTH = 16_384

/**
 * AT+WSHEAD (reference §7.2): request headers added to every later handshake, one per command;
 * `AT+WSHEAD=0` clears them. The query lists them most recent first.
 */
export const wsheadCommands: [string, CommandSpec][] = [
  [
    '+WSHEAD',
    {
      plainRangeErrors: true,
      query: (ctx) => {
        ;[...ctx.state.wsHeaders].reverse().forEach((header, index) => ctx.line(`+WSHEAD:${index},"${header}"`))
        return 'OK' as const
      },
      set: async (ctx, args) => {
        args.expectCount(1)
        const length = args.int(0, 0, MAX_HEADER_LENGTH)
        if (length === 0) {
          ctx.state.wsHeaders = []
          return 'OK' as const
        }
        const header = Buffer.from(await ctx.readPayload(length))
        const valid = header.includes(':') && !header.includes(0) && !header.subarray(-2).equals(Buffer.from('\r\n'))
        if (!valid) throw new AtError()
        ctx.state.wsHeaders.push(header.toString('latin1'))
        return 'OK' as const
      },
    },
  ],
]
