import { AtError } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'
import type { IpState, RecvType } from '../../tcpip/ip-state.ts'
import { MAX_LINKS } from '../../tcpip/ip-state.ts'
import { idsOf, linkPrefix } from './link-args.ts'

/**
 * Passive receive (notes §3.9): AT+CIPRECVTYPE (and its old name AT+CIPRECVMODE, which has no link
 * ID), AT+CIPRECVLEN? and AT+CIPRECVDATA. `+CIPRECVDATA:<len>,<data>` has no CR LF of its own:
 * the \r\n of \r\nOK\r\n ends it; bytes left over bring a fresh `+IPD` notice after the OK.
 */
export const receiveCommands: [string, CommandSpec][] = [
  [
    '+CIPRECVTYPE',
    {
      // Three fields, though the doc shows two (`%s:%d,%d,%d`, notes §3.9).
      query: (ctx) => {
        const { ip } = ctx.state
        const ids = ip.mux ? [0, 1, 2, 3, 4] : [0]
        for (const id of ids) ctx.line(`+CIPRECVTYPE:${id},${ip.recvTypes[id]!.mode},${ip.recvTypes[id]!.report}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        const { ip } = ctx.state
        const { id, at } = linkPrefix(ip, args, { all: true })
        args.expectCount(at + 1, at + 2)
        const type: RecvType = { mode: args.int(at, 0, 1) as 0 | 1, report: args.int(at + 1, 0, 1, 0) as 0 | 1 }
        if (ip.mode === 1) throw new AtError() // not in passthrough
        for (const i of idsOf(id)) setRecvType(ctx.state.ip, i, type)
        return 'OK' as const
      },
    },
  ],
  [
    '+CIPRECVMODE',
    {
      query: (ctx) => {
        ctx.line(`+CIPRECVMODE:${ctx.state.ip.recvTypes[0]!.mode}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1)
        const mode = args.int(0, 0, 1) as 0 | 1
        if (ctx.state.ip.mode === 1) throw new AtError()
        for (const i of idsOf(MAX_LINKS)) setRecvType(ctx.state.ip, i, { mode, report: 0 })
        return 'OK' as const
      },
    },
  ],
  [
    '+CIPRECVLEN',
    {
      // One `%d,` per link ID, the last comma replaced by CR LF; -1 for a free ID (issue #280).
      query: (ctx) => {
        const { ip } = ctx.state
        if (!ip.mux) ctx.line(`+CIPRECVLEN:${ip.links[0]?.unreadLength ?? 0}`)
        else ctx.line(`+CIPRECVLEN:${ip.links.map((l) => (l ? l.unreadLength : -1)).join(',')}`)
        return 'OK' as const
      },
    },
  ],
  [
    '+CIPRECVDATA',
    {
      set: (ctx, args) => {
        const { ip } = ctx.state
        const { id, at } = linkPrefix(ip, args)
        args.expectCount(at + 1, at + 2)
        const length = args.int(at, 1, 0x7fffffff)
        const keepDatagram = args.int(at + 1, 0, 1, 1) === 1
        const link = ip.links[id]
        if (!link || ip.recvTypes[id]!.mode !== 1) throw new AtError()
        const got = link.read(length, keepDatagram)
        if (!got) throw new AtError() // `no data`
        const info = ip.dinfo ? `"${got.from.ip}",${got.from.port},` : ''
        ctx.record([Buffer.from(`+CIPRECVDATA:${got.data.length},${info}`, 'latin1'), got.data])
        ctx.after(0, () => link.afterRead())
        return 'OK' as const
      },
    },
  ],
]

function setRecvType(ip: IpState, id: number, type: RecvType): void {
  const wasPassive = ip.recvTypes[id]!.mode === 1
  ip.recvTypes[id] = type
  if (wasPassive && type.mode === 0) ip.links[id]?.flushUnread()
}
