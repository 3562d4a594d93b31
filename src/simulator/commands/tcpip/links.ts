import { AtError } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'
import { MAX_LINKS } from '../../tcpip/ip-state.ts'

/**
 * AT+CIPCLOSE, AT+CIPSTATE? and the deprecated AT+CIPSTATUS (notes §3.6, §3.7). CIPCLOSE prints
 * `CLOSED` (`<id>,CLOSED`) before OK; the execute form is for AT+CIPMUX=0, the set form for 1.
 */
export const linkCommands: [string, CommandSpec][] = [
  [
    '+CIPCLOSE',
    {
      execute: (ctx) => {
        const { ip } = ctx.state
        const link = ip.links[0]
        if (ip.mux || !link) throw new AtError() // `MUX=1` in the log; or no link
        link.close('local')
        return 'OK' as const
      },
      set: (ctx, args) => {
        const { ip } = ctx.state
        args.expectCount(1)
        if (!ip.mux) throw new AtError() // `MUX=0`
        const id = args.int(0, 0, MAX_LINKS)
        if (id === MAX_LINKS) {
          for (const link of ip.openLinks()) link.close('local')
          return 'OK' as const
        }
        const link = ip.links[id]
        if (!link) throw new AtError()
        link.close('local')
        return 'OK' as const
      },
    },
  ],
  [
    '+CIPSTATE',
    {
      query: (ctx) => {
        for (const link of ctx.state.ip.openLinks()) ctx.line(`+CIPSTATE:${link.describe()}`)
        return 'OK' as const
      },
    },
  ],
  [
    '+CIPSTATUS',
    {
      // Removed from the docs in v4.1 (commit dd06a29), still in the core: `STATUS:` has no `+`.
      execute: (ctx) => {
        const { ip } = ctx.state
        const links = ip.openLinks()
        ctx.line(`STATUS:${statusNumber(ctx.state.hasNetwork, links.length > 0, ip.hadLinks)}`)
        for (const link of links) ctx.line(`+CIPSTATUS:${link.describe()}`)
        return 'OK' as const
      },
    },
  ],
]

/** 2 got an IP, 3 links exist, 4 all links closed again, 5 no Wi-Fi connection (v3.3 docs). */
function statusNumber(network: boolean, links: boolean, hadLinks: boolean): number {
  if (!network) return 5
  if (links) return 3
  return hadLinks ? 4 : 2
}
