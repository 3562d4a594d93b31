import { AtError } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'
import type { IpState } from '../../tcpip/ip-state.ts'

/**
 * AT+CIPMUX, AT+CIPMODE, AT+CIPDINFO, AT+CIPSTO, AT+CIPRECONNINTV and AT+TRANSINTVL (a Basic
 * command in the docs, kept here with the passthrough it tunes): notes §3.1, §3.8, §3.10-§3.12.
 */
export const settingsCommands: [string, CommandSpec][] = [
  [
    '+CIPMUX',
    {
      query: (ctx) => {
        ctx.line(`+CIPMUX:${ctx.state.ip.mux}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1)
        const mux = args.int(0, 0, 1) as 0 | 1
        const { ip } = ctx.state
        // `connection exists`, `IPMODE != 0`, `CIPSERVER != 0` in the firmware's log.
        if (ip.openLinks().length > 0 && mux !== ip.mux) throw new AtError()
        if (mux === 1 && ip.mode === 1) throw new AtError()
        if (mux === 0 && ip.server) throw new AtError()
        ip.mux = mux
        return 'OK' as const
      },
    },
  ],
  [
    '+CIPMODE',
    {
      query: (ctx) => {
        ctx.line(`+CIPMODE:${ctx.state.ip.mode}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1)
        const mode = args.int(0, 0, 1) as 0 | 1
        const { ip } = ctx.state
        if (mode === 1 && !passthroughAllowed(ip)) throw new AtError()
        ip.mode = mode
        return 'OK' as const
      },
    },
  ],
  [
    '+CIPDINFO',
    {
      // `%s:%s` with no CR LF: the \r\n that starts \r\nOK\r\n ends it (notes §3.8).
      query: (ctx) => {
        ctx.print(`+CIPDINFO:${ctx.state.ip.dinfo ? 'true' : 'false'}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1)
        ctx.state.ip.dinfo = args.int(0, 0, 1) === 1
        return 'OK' as const
      },
    },
  ],
  [
    '+CIPSTO',
    {
      query: (ctx) => {
        ctx.line(`+CIPSTO:${ctx.state.ip.stoSec}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1)
        ctx.state.ip.stoSec = args.int(0, 0, 7200)
        return 'OK' as const
      },
    },
  ],
  [
    '+CIPRECONNINTV',
    {
      query: (ctx) => {
        ctx.line(`+CIPRECONNINTV:${ctx.state.ip.reconnectInterval}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1)
        ctx.state.ip.reconnectInterval = args.int(0, 1, 36_000)
        return 'OK' as const
      },
    },
  ],
  [
    '+TRANSINTVL',
    {
      query: (ctx) => {
        ctx.line(`+TRANSINTVL:${ctx.state.ip.transIntervalMs}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1)
        ctx.state.ip.transIntervalMs = args.int(0, 0, 1000)
        return 'OK' as const
      },
    },
  ],
]

/**
 * AT+CIPMODE=1 is for one TCP/SSL link, one UDP link whose remote is fixed, or a server that
 * takes one client (notes §3.11): not for several links, nor a server and a client together.
 */
export function passthroughAllowed(ip: IpState): boolean {
  const links = ip.openLinks()
  if (links.length > 1) return false
  if (ip.server && (ip.serverMaxConn !== 1 || links.some((l) => l.terminal === 0))) return false
  return links.every((l) => l.type !== 'UDP' || l.udpMode === 0)
}
