import { AtError } from '../at-error.ts'
import type { CommandContext, CommandSpec } from '../device.ts'
import { DEFAULT_WS_CONFIG, WsLink } from '../ws-link.ts'

const DEFAULT_OPEN_TIMEOUT_MS = 15_000

/** AT+WSOPEN, AT+WSSEND, AT+WSCLOSE (reference §7). Range errors print no ERR CODE. */
export const websocketCommands: Record<string, CommandSpec> = {
  '+WSOPEN': {
    query: (ctx) => {
      ctx.state.links.forEach((link) => {
        if (link) ctx.line(`+WSOPEN:${link.id},${link.state},"${link.uri}"`)
      })
      return 'OK' as const
    },
    set: async (ctx, args) => {
      if (args.count < 2 || args.count > 5) throw new AtError()
      const id = linkId(args.int(0, -1, 99))
      const uri = args.str(1)
      const subprotocol = args.has(2) ? args.str(2) : undefined
      const timeoutMs = args.count >= 4 ? args.int(3, 1, 180_000) : DEFAULT_OPEN_TIMEOUT_MS
      const auth = args.has(4) ? args.str(4) : undefined
      if (!/^wss?:\/\//i.test(uri)) throw new AtError()
      if (ctx.state.links[id]) throw new AtError() // already established: close it first
      const link = new WsLink(id, uri, DEFAULT_WS_CONFIG, host(ctx))
      ctx.state.links[id] = link
      const opened = ctx.state.hasIp ? await link.open(timeoutMs, subprotocol, auth) : await unreachable(ctx, id, timeoutMs)
      if (!opened) {
        ctx.state.links[id] = undefined
        throw new AtError()
      }
      return 'OK' as const
    },
  },
  '+WSSEND': {
    set: async (ctx, args) => {
      if (args.count < 2 || args.count > 5) throw new AtError()
      const id = linkId(args.int(0, -1, 99))
      const length = args.int(1, 0, 16_384)
      const opcode = args.count >= 3 ? args.int(2, 0, 15) : 1
      if (args.count >= 4) args.int(3, 0, 60_000)
      const link = ctx.state.links[id]
      if (!link) throw new AtError()
      const payload = length > 0 ? await ctx.readPayload(length) : new Uint8Array(0)
      const sent = await link.send(payload, opcode)
      if (!sent) throw new AtError()
      return 'SEND OK' as const
    },
  },
  '+WSCLOSE': {
    set: async (ctx, args) => {
      if (args.count !== 1) throw new AtError()
      const id = linkId(args.int(0, -1, 99))
      await ctx.state.links[id]?.destroy()
      ctx.state.links[id] = undefined
      return 'OK' as const
    },
  },
}

function linkId(value: number): number {
  if (value < 0 || value > 2) throw new AtError()
  return value
}

function host(ctx: CommandContext) {
  return {
    print: (bytes: string | Uint8Array) => ctx.device.print(bytes),
    released: (id: number) => {
      ctx.device.state.links[id] = undefined
    },
  }
}

/** Without an IP address the connection attempt fails, after a moment, as the transport's would. */
async function unreachable(ctx: CommandContext, id: number, timeoutMs: number): Promise<false> {
  await ctx.sleep(Math.min(timeoutMs, 100))
  ctx.line(`+WS_DISCONNECTED:${id}`)
  return false
}
