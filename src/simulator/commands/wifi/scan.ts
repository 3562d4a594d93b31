import { AtError, ErrCode } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'
import type { AccessPoint } from '../../profile.ts'
import { bytesOf } from '../../text.ts'

/** AT+CWLAPOPT: which fields AT+CWLAP prints (bit0 ecn ... bit10 wps), and which access points. */
export interface ScanOptions {
  printMask: number
  rssiFilter: number
  authmodeMask: number
}

export const DEFAULT_SCAN_OPTIONS: ScanOptions = { printMask: 0x7ff, rssiFilter: -100, authmodeMask: 0xffff }

/**
 * AT+CWLAP (execute, or set with `[<"ssid">][,<"mac">][,<channel>]...`) and AT+CWLAPOPT (notes
 * §3.17): the profile's access points after the scan time, strongest first, one
 * `+CWLAP:(<ecn>,"<ssid">,<rssi>,"<mac>",<channel>,<freq_offset>,<freqcal_val>,<pairwise_cipher>,<group_cipher>,<wifi_protocol>,<wps>)`
 * each, the fields the print mask hides dropped with their commas. Station mode is required
 * (`ERR CODE:0x010a0000`, issue #163).
 */
export const scanCommands: [string, CommandSpec][] = [
  [
    '+CWLAPOPT',
    {
      set: (ctx, args) => {
        args.expectCount(2, 3, 4)
        if (args.has(0)) args.int(0, 0, 1) // reserved (the old sort flag)
        ctx.state.scanOptions = {
          printMask: args.int(1, 0, 0x7ff),
          rssiFilter: args.int(2, -100, 40, DEFAULT_SCAN_OPTIONS.rssiFilter),
          authmodeMask: args.int(3, 0, 0xffff, DEFAULT_SCAN_OPTIONS.authmodeMask),
        }
        return 'OK' as const
      },
    },
  ],
  [
    '+CWLAP',
    {
      execute: (ctx) => scan(ctx, {}),
      set: (ctx, args) => {
        args.expectCount(1, 2, 3, 4, 5, 6, 7)
        const filter: ScanFilter = {}
        if (args.has(0)) filter.ssid = args.str(0, undefined, 32)
        if (args.has(1)) filter.mac = args.str(1).toLowerCase()
        if (args.has(2)) filter.channel = args.int(2, 0, 14)
        if (args.has(3)) args.int(3, 0, 1)
        if (args.has(4)) args.int(4, 0, 1500)
        if (args.has(5)) args.int(5, 0, 1500)
        if (args.has(6)) args.int(6, 0, 0x3fff)
        return scan(ctx, filter)
      },
    },
  ],
]

interface ScanFilter {
  ssid?: string
  mac?: string
  channel?: number
}

async function scan(ctx: Parameters<NonNullable<CommandSpec['execute']>>[0], filter: ScanFilter): Promise<'OK'> {
  const mode = ctx.state.wifiMode
  if (mode !== 1 && mode !== 3) throw new AtError(ErrCode.execFail())
  await ctx.sleep(ctx.profile.wifi.scanTimeMs)
  const options = ctx.state.scanOptions
  const found = ctx.profile.accessPoints
    .filter((ap) => filter.ssid === undefined || bytesOf(ap.ssid) === filter.ssid)
    .filter((ap) => filter.mac === undefined || ap.bssid === filter.mac)
    .filter((ap) => !filter.channel || ap.channel === filter.channel)
    .filter((ap) => ap.rssi >= options.rssiFilter && (options.authmodeMask & (1 << ap.ecn)) !== 0)
    .sort((a, b) => b.rssi - a.rssi)
  for (const ap of found) ctx.line(`+CWLAP:(${fields(ap, options.printMask).join(',')})`)
  return 'OK'
}

/** The eleven fields in order; the reserved freq_offset and freqcal_val as ESP32 boards print them [inf]. */
function fields(ap: AccessPoint, mask: number): string[] {
  const cipher = ap.ecn === 0 ? 0 : ap.ecn === 1 ? 1 : 4
  const all = [String(ap.ecn), `"${bytesOf(ap.ssid)}"`, String(ap.rssi), `"${ap.bssid}"`, String(ap.channel), '-1', '-1', String(cipher), String(cipher), '7', '0']
  return all.filter((_, bit) => (mask & (1 << bit)) !== 0)
}
