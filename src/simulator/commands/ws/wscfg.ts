import { AtError } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'
import type { AuthMode, WsConfig } from '../../ws-config.ts'
import { MAX_BUFFER_SIZE } from '../../ws-config.ts'
import { linkId } from './link-id.ts'

const MAX_PING_SEC = 7200

/**
 * AT+WSCFG=<link_id>,<ping_intv_sec>,<ping_timeout_sec>[,<buffer_size>][,<auth_mode>,<pki_number>,<ca_number>]
 * (reference §7.1). Set form only. 3, 4, 5 (auth_mode 0) or 7 (auth_mode 1..3) parameters; the
 * certificates named must exist in the PKI partition, else `NO CERT FOUND` and the like.
 */
export const wscfgCommands: [string, CommandSpec][] = [
  [
    '+WSCFG',
    {
      plainRangeErrors: true,
      set: (ctx, args) => {
        args.expectCount(3, 4, 5, 7)
        const id = linkId(args)
        const config: WsConfig = {
          pingIntervalSec: args.int(1, 1, MAX_PING_SEC),
          pingTimeoutSec: args.int(2, 1, MAX_PING_SEC),
          // Not omissible when later parameters follow (`AT+WSCFG=0,30,60,,3,0,0` is an error).
          bufferSize: args.count >= 4 ? args.int(3, 1, MAX_BUFFER_SIZE) : 1024,
          authMode: args.count >= 5 ? (args.int(4, 0, 3) as AuthMode) : 0,
        }
        if (args.count === 5 && config.authMode !== 0) throw new AtError()
        if (args.count === 7) {
          if (config.authMode === 0) throw new AtError()
          config.pkiNumber = args.int(5, 0, Number.MAX_SAFE_INTEGER)
          config.caNumber = args.int(6, 0, Number.MAX_SAFE_INTEGER)
          const { pki } = ctx
          const presents = config.authMode === 1 || config.authMode === 3
          const verifies = config.authMode === 2 || config.authMode === 3
          if (presents && !pki.hasClientCert(config.pkiNumber)) throw new AtError(undefined, ['NO CERT FOUND'])
          if (presents && !pki.hasClientKey(config.pkiNumber)) throw new AtError(undefined, ['NO PRVT_KEY FOUND'])
          if (verifies && !pki.hasCa(config.caNumber)) throw new AtError(undefined, ['NO CA FOUND'])
        }
        ctx.state.wsConfigs[id] = config
        return 'OK' as const
      },
    },
  ],
]
