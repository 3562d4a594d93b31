import { AtError } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'
import type { SoftApConfig } from '../../softap.ts'

/**
 * AT+CWSAP (Wi-Fi commands ~L930): the SoftAP's SSID, password, channel, encryption, station
 * limit and hidden flag; modes 2 and 3 only. Saved while AT+SYSSTORE is 1. No station ever joins
 * the simulated SoftAP: the host reaches the device's servers on 127.0.0.1.
 */
export const softApCommands: [string, CommandSpec][] = [
  [
    '+CWSAP',
    {
      query: (ctx) => {
        const mode = ctx.state.wifiMode
        if (mode !== 2 && mode !== 3) throw new AtError()
        const c = ctx.state.softAp
        ctx.line(`+CWSAP:"${c.ssid}","${c.password}",${c.channel},${c.ecn},${c.maxConn},${c.hidden}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(4, 5, 6)
        const ssid = args.str(0, undefined, 32)
        const password = args.str(1, '', 64)
        const channel = args.int(2, 1, 13)
        const ecn = args.int(3, 0, 4)
        if (ecn === 1) throw args.outOfRange(3) // WEP is not supported
        if (ssid.length === 0 || (ecn !== 0 && password.length < 8)) throw new AtError()
        const config: SoftApConfig = { ssid, password: ecn === 0 ? '' : password, channel, ecn: ecn as SoftApConfig['ecn'], maxConn: args.int(4, 1, 10, 10), hidden: args.int(5, 0, 1, 0) as 0 | 1 }
        const mode = ctx.state.wifiMode
        if (mode !== 2 && mode !== 3) throw new AtError()
        ctx.state.softAp = config
        if (ctx.flash.sysstore) ctx.flash.softAp = config
        return 'OK' as const
      },
    },
  ],
]
