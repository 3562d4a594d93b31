import { AtError, ErrCode } from '../at-error.ts'
import type { CommandContext, CommandSpec } from '../device.ts'
import type { WifiMode } from '../state.ts'

/** AT+CWMODE and AT+CWJAP (reference §8). */
export const wifiCommands: Record<string, CommandSpec> = {
  '+CWMODE': {
    query: (ctx) => {
      ctx.line(`+CWMODE:${ctx.state.wifiMode}`)
      return 'OK' as const
    },
    set: (ctx, args) => {
      args.expectCount(1, 2)
      const mode = args.int(0, 0, 3) as WifiMode
      if (args.has(1)) args.int(1, 0, 1)
      ctx.state.wifiMode = mode
      if (mode === 0 || mode === 2) disconnect(ctx)
      return 'OK' as const
    },
  },
  '+CWJAP': {
    query: (ctx) => {
      const ap = ctx.state.ap
      if (ap && ctx.state.hasIp) ctx.line(`+CWJAP:"${ap.ssid}","${ap.bssid}",${ap.channel},${ap.rssi},0,1,3,0,1`)
      return 'OK' as const
    },
    set: async (ctx, args) => {
      if (args.count < 2) throw new AtError(ErrCode.paramCount(2, args.count))
      const ssid = args.str(0)
      const password = args.str(1, '')
      if (ctx.state.wifiMode !== 1 && ctx.state.wifiMode !== 3) throw new AtError(ErrCode.execFail())
      disconnect(ctx)
      ctx.state.station = 'connecting'
      const ap = ctx.profile.accessPoints.find((a) => a.ssid === ssid)
      await ctx.sleep(ap?.joinDelayMs ?? 1000)
      if (!ap) return failJoin(ctx, 3)
      if (ap.password !== password) return failJoin(ctx, 2)
      ctx.state.ap = ap
      ctx.state.station = 'connected'
      ctx.line('WIFI CONNECTED')
      ctx.state.station = 'got-ip'
      ctx.line('WIFI GOT IP')
      return 'OK' as const
    },
  },
}

function failJoin(ctx: CommandContext, code: 1 | 2 | 3 | 4): never {
  ctx.state.station = 'disconnected'
  throw new AtError(undefined, [`+CWJAP:${code}`])
}

/** Leaves the access point; `WIFI DISCONNECT` only when there was a connection to lose. */
function disconnect(ctx: CommandContext): void {
  if (ctx.state.station === 'connected' || ctx.state.station === 'got-ip') ctx.line('WIFI DISCONNECT')
  ctx.state.station = 'disconnected'
  ctx.state.ap = undefined
}
