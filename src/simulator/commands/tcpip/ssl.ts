import { AtError } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'
import type { AuthMode } from '../../ws-config.ts'
import { idsOf, linkPrefix } from './link-args.ts'

/**
 * AT+CIPSSLCCONF=[<link ID>,]<auth_mode>[,<pki_number>][,<ca_number>] (notes §3.18): how an SSL
 * link of AT+CIPSTART authenticates, as for wss:// (the profile's client certificates and CAs).
 * Entries the PKI lacks: `NO CERT FOUND`, `NO PRVT_KEY FOUND`, `NO CA FOUND`, then ERROR.
 */
export const sslCommands: [string, CommandSpec][] = [
  [
    '+CIPSSLCCONF',
    {
      query: (ctx) => {
        const { ip } = ctx.state
        for (const id of ip.mux ? [0, 1, 2, 3, 4] : [0]) {
          const c = ip.sslConfs[id]!
          ctx.line(`+CIPSSLCCONF:${id},${c.authMode},${c.pkiNumber},${c.caNumber}`)
        }
        return 'OK' as const
      },
      set: (ctx, args) => {
        const { ip } = ctx.state
        const { id, at } = linkPrefix(ip, args, { all: true })
        args.expectCount(at + 1, at + 2, at + 3)
        const authMode = args.int(at, 0, 3) as AuthMode
        const pkiNumber = args.int(at + 1, 0, Number.MAX_SAFE_INTEGER, 0)
        const caNumber = args.int(at + 2, 0, Number.MAX_SAFE_INTEGER, 0)
        const missing = ctx.pki.missing(authMode, pkiNumber, caNumber)
        if (missing) throw new AtError(undefined, [missing])
        for (const i of idsOf(id)) ip.sslConfs[i] = { authMode, pkiNumber, caNumber }
        return 'OK' as const
      },
    },
  ],
]
