import type { Args } from '../../at-error.ts'
import { AtError } from '../../at-error.ts'
import type { CommandContext, CommandSpec, FinalResult, PayloadReader } from '../../device.ts'
import { fixedLength } from '../../device.ts'
import { PassthroughSession } from '../../tcpip/passthrough.ts'
import { resolveHost } from '../../tcpip/resolve.ts'
import type { Peer } from '../../tcpip/socket-link.ts'
import { linkPrefix, openLink } from './link-args.ts'

/** Longest AT+CIPSEND / AT+CIPSENDEX data phase (AT+CIPSENDL is for more). */
export const MAX_SEND_LENGTH = 8192

/**
 * AT+CIPSEND (notes §3.3): `=[<link ID>,]<length>[,<"remote host">,<remote port>]` prints the
 * prompt, takes exactly `length` bytes (a lone `+++` chunk cancels: `SEND Canceled`), then
 * `Recv <n> bytes` and `SEND OK` (`SEND FAIL` when the link could not send). The execute form
 * enters passthrough (AT+CIPMODE=1, exactly one link). AT+CIPSENDEX (§3.5) also ends at the two
 * bytes `\0`, and drops the backslash of `\<any>`.
 */
export const sendCommands: [string, CommandSpec][] = [
  [
    '+CIPSEND',
    {
      set: (ctx, args) => send(ctx, args, (length) => fixedLength(length)),
      execute: (ctx) => {
        const { ip } = ctx.state
        const links = ip.openLinks()
        if (ip.mode !== 1 || links.length !== 1) throw new AtError()
        const session = new PassthroughSession(links[0]!, ctx)
        ctx.device.prompt()
        ip.passthrough = session
        ctx.enterPassthrough(session)
        return 'none' as const
      },
    },
  ],
  ['+CIPSENDEX', { set: (ctx, args) => send(ctx, args, (length) => escapedUntilNul(length)) }],
]

async function send(ctx: CommandContext, args: Args, reader: (length: number) => PayloadReader): Promise<FinalResult> {
  const { ip } = ctx.state
  const { id, at } = linkPrefix(ip, args)
  args.expectCount(at + 1, at + 3)
  const length = args.int(at, 0, Number.MAX_SAFE_INTEGER)
  if (ip.mode === 1) throw new AtError() // `IPMODE=1`: the length form is for normal transmission only
  const link = openLink(ip, id)
  if (length < 1 || length > MAX_SEND_LENGTH) throw args.outOfRange(at)
  let to: Peer | undefined
  if (args.count === at + 3) {
    if (link.type !== 'UDP') throw new AtError() // a destination is for UDP only
    const host = args.str(at + 1)
    const port = args.int(at + 2, 1, 65_535)
    const resolved = await resolveHost(ctx.profile, host)
    if (!resolved) throw new AtError()
    to = { ip: resolved, port }
  }
  const collector = reader(length)
  const data = await ctx.readData(collector, { cancellable: true })
  if (data === undefined) return 'SEND Canceled'
  ctx.print(`\r\nRecv ${collector.received?.() ?? length} bytes\r\n`)
  return (await link.send(data, to)) ? 'SEND OK' : 'SEND FAIL'
}

/**
 * CIPSENDEX's data phase: up to `length` bytes, or up to the two bytes `\0`; `\<any>` stands for
 * `<any>`, so `\\0` sends a literal `\0`. The length counts the bytes as they arrive.
 */
export function escapedUntilNul(length: number): PayloadReader {
  const out: number[] = []
  let got = 0
  let escaped = false
  return {
    take(chunk) {
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]!
        got++
        if (escaped) {
          escaped = false
          if (byte === 0x30) return { used: i + 1, done: true } // `\0`
          out.push(byte)
        } else if (byte === 0x5c) escaped = true
        else out.push(byte)
        if (got >= length) return { used: i + 1, done: true }
      }
      return { used: chunk.length, done: false }
    },
    result: () => Buffer.from(out),
    received: () => got,
  }
}
