import { AtError } from '../../at-error.ts'
import type { CommandContext, CommandSpec } from '../../device.ts'
import type { TlsCredentials } from '../../transport.ts'
import { DEFAULT_WS_CONFIG } from '../../ws-config.ts'
import type { WsConfig } from '../../ws-config.ts'
import { WsLink } from '../../ws-link.ts'
import { linkId } from './link-id.ts'

const DEFAULT_OPEN_TIMEOUT_MS = 15_000
const MAX_OPEN_TIMEOUT_MS = 180_000

/**
 * AT+WSOPEN=<link_id>,<"uri">[,<"subprotocol">][,<timeout_ms>][,<"auth">] and AT+WSOPEN?, and
 * AT+WSCLOSE=<link_id> (reference §7.3, §7.6). A failed open prints `+WS_DISCONNECTED` before
 * ERROR; any failure, and every close, releases the link and wipes its AT+WSCFG.
 */
export const wsopenCommands: [string, CommandSpec][] = [
  [
    '+WSOPEN',
    {
      plainRangeErrors: true,
      query: (ctx) => {
        ctx.state.links.forEach((link) => {
          if (link) ctx.line(`+WSOPEN:${link.id},${link.state},"${link.uri}"`)
        })
        return 'OK' as const
      },
      set: async (ctx, args) => {
        args.expectCount(2, 3, 4, 5)
        const id = linkId(args)
        const uri = args.str(1)
        const subprotocol = args.has(2) ? args.str(2) : undefined
        // timeout_ms may be left off, not left empty; 0 is refused though the doc allows it.
        const timeoutMs = args.count >= 4 ? args.int(3, 1, MAX_OPEN_TIMEOUT_MS) : DEFAULT_OPEN_TIMEOUT_MS
        const auth = args.has(4) ? args.str(4) : undefined
        if (!isWebSocketUri(uri)) throw new AtError()
        if (ctx.state.links[id]) throw new AtError() // already established: close it first
        const config = ctx.state.wsConfigs[id] ?? DEFAULT_WS_CONFIG
        const link = new WsLink(
          id,
          uri,
          config,
          { headers: [...ctx.state.wsHeaders], ...(subprotocol ? { subprotocol } : {}), ...(auth !== undefined ? { auth } : {}), ...tlsOptions(ctx, uri, config) },
          ctx,
        )
        ctx.state.links[id] = link
        const outcome = await link.open(timeoutMs)
        if (outcome !== 'connected') {
          release(ctx, id, link)
          throw new AtError()
        }
        return 'OK' as const
      },
    },
  ],
  [
    '+WSCLOSE',
    {
      plainRangeErrors: true,
      set: async (ctx, args) => {
        args.expectCount(1)
        const id = linkId(args)
        const link = ctx.state.links[id]
        await link?.destroy()
        release(ctx, id, link)
        return 'OK' as const
      },
    },
  ],
]

function isWebSocketUri(uri: string): boolean {
  if (!/^wss?:\/\/[^/?#]/i.test(uri)) return false
  try {
    new URL(uri)
    return true
  } catch {
    return false
  }
}

function release(ctx: CommandContext, id: number, link: WsLink | undefined): void {
  if (ctx.state.links[id] === link) ctx.state.links[id] = undefined
  ctx.state.wsConfigs[id] = undefined
}

/** For wss://, the credentials AT+WSCFG selected from the PKI partition; ERROR if they cannot be read any more. */
function tlsOptions(ctx: CommandContext, uri: string, config: WsConfig): { tls?: TlsCredentials } {
  if (!/^wss:/i.test(uri)) return {}
  const tls: TlsCredentials = { authMode: config.authMode }
  try {
    if ((config.authMode === 1 || config.authMode === 3) && config.pkiNumber !== undefined) {
      tls.cert = ctx.pki.clientCert(config.pkiNumber)
      tls.key = ctx.pki.clientKey(config.pkiNumber)
    }
    if ((config.authMode === 2 || config.authMode === 3) && config.caNumber !== undefined) tls.cas = ctx.pki.ca(config.caNumber)
  } catch {
    throw new AtError() // a PEM file of the profile vanished or went bad since the profile was loaded
  }
  return { tls }
}
