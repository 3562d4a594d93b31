import { AtError } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'
import { MAX_HOST_LENGTH, resolveHost } from '../../tcpip/resolve.ts'

/**
 * AT+CIPDOMAIN=<"domain name">[,<ip network>][,<timeout>][,<show_all_ip>] (notes §3.15):
 * `+CIPDOMAIN:"<ip>"` from the device's DNS (the profile's hosts, then this computer's resolver).
 * IPv4 only: network 3 (IPv6 only) is an ERROR here.
 */
export const domainCommands: [string, CommandSpec][] = [
  [
    '+CIPDOMAIN',
    {
      set: async (ctx, args) => {
        args.expectCount(1, 2, 3, 4)
        const name = args.str(0)
        if (name.length === 0 || name.length > MAX_HOST_LENGTH) throw args.outOfRange(0)
        const network = args.int(1, 1, 3, 1)
        args.int(2, 0, 60_000, 0)
        args.int(3, 0, 1, 0)
        if (network === 3 || !ctx.state.hasNetwork) throw new AtError()
        const address = await resolveHost(ctx.profile, name)
        if (!address) throw new AtError() // `unknown host` in the log
        ctx.line(`+CIPDOMAIN:"${address}"`)
        return 'OK' as const
      },
    },
  ],
]
