import { AtError } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'
import { softApMac } from '../../softap.ts'
import type { SoftApAddress } from '../../softap.ts'

/**
 * AT+CIPSTA? and AT+CIFSR (reference §8.5): the station's address, 0.0.0.0 until it got one; and
 * AT+CIPAP, the SoftAP's (192.168.4.1 unless set).
 */
export const ipCommands: [string, CommandSpec][] = [
  [
    '+CIPSTA',
    {
      query: (ctx) => {
        const ap = ctx.state.hasIp ? ctx.state.station.ap : undefined
        ctx.line(`+CIPSTA:ip:"${ap?.ip ?? '0.0.0.0'}"`)
        ctx.line(`+CIPSTA:gateway:"${ap?.gateway ?? '0.0.0.0'}"`)
        ctx.line(`+CIPSTA:netmask:"${ap?.netmask ?? '0.0.0.0'}"`)
        return 'OK' as const
      },
    },
  ],
  [
    '+CIFSR',
    {
      execute: (ctx) => {
        const mode = ctx.state.wifiMode
        if (mode === 0) throw new AtError()
        const mac = ctx.profile.mac.toLowerCase()
        if (mode === 2 || mode === 3) {
          ctx.line(`+CIFSR:APIP,"${ctx.state.softApAddress.ip}"`)
          ctx.line(`+CIFSR:APMAC,"${softApMac(mac)}"`)
        }
        if (mode === 1 || mode === 3) {
          ctx.line(`+CIFSR:STAIP,"${ctx.state.hasIp ? ctx.state.station.ap!.ip : '0.0.0.0'}"`)
          ctx.line(`+CIFSR:STAMAC,"${mac}"`)
        }
        return 'OK' as const
      },
    },
  ],
  [
    '+CIPAP',
    {
      query: (ctx) => {
        const a = ctx.state.softApAddress
        ctx.line(`+CIPAP:ip:"${a.ip}"`)
        ctx.line(`+CIPAP:gateway:"${a.gateway}"`)
        ctx.line(`+CIPAP:netmask:"${a.netmask}"`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1, 3)
        const ip = ipv4(args.str(0))
        const address: SoftApAddress = { ip, gateway: args.count === 3 ? ipv4(args.str(1)) : ip, netmask: args.count === 3 ? ipv4(args.str(2)) : '255.255.255.0' }
        ctx.state.softApAddress = address
        if (ctx.flash.sysstore) ctx.flash.softApAddress = address
        return 'OK' as const
      },
    },
  ],
]

function ipv4(text: string): string {
  if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(text) || text.split('.').some((b) => Number(b) > 255)) throw new AtError()
  return text
}
