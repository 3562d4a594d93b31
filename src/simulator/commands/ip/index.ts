import { AtError } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'

/** The SoftAP's default address (modes 2 and 3). */
const SOFTAP_IP = '192.168.4.1'

/** AT+CIPSTA? and AT+CIFSR (reference §8.5): the station's address, 0.0.0.0 until it got one. */
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
          ctx.line(`+CIFSR:APIP,"${SOFTAP_IP}"`)
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
]

/** ESP chips derive the SoftAP MAC from the station's by adding one to the last byte. */
function softApMac(stationMac: string): string {
  const bytes = stationMac.split(':').map((h) => Number.parseInt(h, 16))
  bytes[5] = (bytes[5]! + 1) & 0xff
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':')
}
