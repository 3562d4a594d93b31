import type { Args } from '../../at-error.ts'
import { AtError, ErrCode } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'
import type { StationConfig, WifiMode } from '../../flash.ts'
import { CWSTATE_NUMBER } from '../../station.ts'
import { scanCommands } from './scan.ts'
import { softApCommands } from './softap.ts'

const hasStation = (mode: WifiMode) => mode === 1 || mode === 3

/** AT+CWMODE, AT+CWJAP, AT+CWQAP, AT+CWSTATE (reference §8), AT+CWLAP, AT+CWLAPOPT, AT+CWSAP. */
export const wifiCommands: [string, CommandSpec][] = [
  [
    '+CWMODE',
    {
      query: (ctx) => {
        ctx.line(`+CWMODE:${ctx.state.wifiMode}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1, 2)
        const mode = args.int(0, 0, 3) as WifiMode
        const autoConnect = args.int(1, 0, 1, 1) === 1
        const before = ctx.state.wifiMode
        ctx.state.wifiMode = mode
        if (ctx.flash.sysstore) ctx.flash.wifiMode = mode
        const { station } = ctx.state
        if (!hasStation(mode)) station.disconnect()
        else if (!hasStation(before) && autoConnect && ctx.flash.station) station.autoConnect(ctx.flash.station)
        return 'OK' as const
      },
    },
  ],
  [
    '+CWJAP',
    {
      query: (ctx) => {
        const { station } = ctx.state
        const { ap, config } = station
        if (ap && config && (station.status === 'connected' || station.status === 'got-ip')) {
          ctx.line(`+CWJAP:"${config.ssid}","${ap.bssid}",${ap.channel},${ap.rssi},0,${config.reconnectIntervalSec},${config.listenInterval},${config.scanMode},${config.pmf}`)
        }
        return 'OK' as const
      },
      set: async (ctx, args) => {
        const config = stationConfig(args)
        if (!hasStation(ctx.state.wifiMode)) throw new AtError()
        if (ctx.flash.sysstore) ctx.flash.station = config
        // An existing connection is dropped first (`WIFI DISCONNECT`), then the join starts.
        ctx.state.station.disconnect()
        await ctx.state.station.join(config, 'set')
        return 'OK' as const
      },
      execute: async (ctx) => {
        if (!hasStation(ctx.state.wifiMode)) throw new AtError()
        const { station } = ctx.state
        if (station.hasIp) return 'OK' as const
        const config = station.config ?? ctx.flash.station
        if (!config) throw new AtError()
        await station.join(config, 'execute')
        return 'OK' as const
      },
    },
  ],
  [
    '+CWQAP',
    {
      execute: (ctx) => {
        if (!hasStation(ctx.state.wifiMode)) throw new AtError()
        ctx.state.station.disconnect()
        return 'OK' as const
      },
    },
  ],
  [
    '+CWSTATE',
    {
      query: (ctx) => {
        const { station } = ctx.state
        const ssid = station.status === 'idle' ? '' : (station.config?.ssid ?? '')
        ctx.line(`+CWSTATE:${CWSTATE_NUMBER[station.status]},"${ssid}"`)
        return 'OK' as const
      },
    },
  ],
  ...scanCommands,
  ...softApCommands,
]

/** AT+CWJAP's parameters: "ssid","pwd"[,"bssid"][,authmode][,reconn_interval][,listen_interval][,scan_mode][,jap_timeout][,pmf]. */
function stationConfig(args: Args): StationConfig {
  if (args.count < 2 || args.count > 9) throw new AtError(ErrCode.paramCount(2, args.count))
  const ssid = args.str(0, undefined, 32)
  if (ssid.length === 0) throw args.outOfRange(0)
  const password = args.str(1, '', 64)
  const bssid = args.has(2) ? args.str(2) : undefined
  if (bssid !== undefined && !/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(bssid)) throw args.outOfRange(2)
  if (args.has(3)) args.int(3, 0, 16)
  return {
    ssid,
    password,
    ...(bssid ? { bssid } : {}),
    reconnectIntervalSec: args.int(4, 0, 7200, 1),
    listenInterval: args.int(5, 1, 100, 3),
    scanMode: args.int(6, 0, 1, 0),
    japTimeoutSec: args.int(7, 3, 600, 15),
    pmf: args.int(8, 0, 3, 1),
  }
}

