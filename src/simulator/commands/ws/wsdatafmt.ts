import type { CommandSpec } from '../../device.ts'
import { linkId } from './link-id.ts'

/**
 * AT+WSDATAFMT=<link_id>,[<meta_data_level>],[<meta_data_mask>] (reference §7.5, master firmware):
 * how `+WS_DATA` is framed on that link. Exactly three fields; an empty one keeps its value. The
 * setting survives close and reopen and is reset by a boot.
 */
export const wsdatafmtCommands: [string, CommandSpec][] = [
  [
    '+WSDATAFMT',
    {
      plainRangeErrors: true,
      set: (ctx, args) => {
        args.expectCount(3)
        const id = linkId(args)
        const format = ctx.state.wsDataFormats[id]!
        const level = args.int(1, 0, 2, format.level) as 0 | 1 | 2
        const mask = args.int(2, 1, 63, format.mask)
        ctx.state.wsDataFormats[id] = { level, mask }
        return 'OK' as const
      },
    },
  ],
]
