import { AtError } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'
import { DeviceServer } from '../../tcpip/device-server.ts'
import type { ServerConfig } from '../../tcpip/device-server.ts'
import { MAX_LINKS } from '../../tcpip/ip-state.ts'

const DEFAULT_SERVER_PORT = 333

/**
 * AT+CIPSERVER and AT+CIPSERVERMAXCONN (notes §3.10): one server, with AT+CIPMUX=1 only, on a
 * real port of 127.0.0.1. `AT+CIPSERVER=0[,1]` stops listening and, with 1, closes its clients.
 */
export const serverCommands: [string, CommandSpec][] = [
  [
    '+CIPSERVER',
    {
      query: (ctx) => {
        const server = ctx.state.ip.server
        if (!server) ctx.line('+CIPSERVER:0')
        else {
          const { port, type, caEnable, netif } = server.config
          ctx.line(`+CIPSERVER:1,${port},"${type}",${caEnable ? 1 : 0},${netif}`)
        }
        return 'OK' as const
      },
      set: async (ctx, args) => {
        const { ip } = ctx.state
        if (args.count < 1 || args.count > 5) throw new AtError()
        const mode = args.int(0, 0, 1)
        if (mode === 0) {
          // `<"type">` and `<CA enable>` must be omitted when deleting.
          if (args.count > 2) throw new AtError()
          const closeAll = args.int(1, 0, 1, 0) === 1
          const server = ip.server
          if (!server) throw new AtError()
          ip.server = undefined
          await server.close()
          if (closeAll) for (const link of ip.openLinks().filter((l) => l.terminal === 1)) link.close('local')
          return 'OK' as const
        }
        const type = (args.has(2) ? args.str(2) : 'TCP').toUpperCase()
        if (type !== 'TCP' && type !== 'SSL') throw args.outOfRange(2) // TCPv6/SSLv6: IPv6 is not modelled
        const config: ServerConfig = {
          port: args.int(1, 1, 65_535, DEFAULT_SERVER_PORT),
          type,
          caEnable: args.int(3, 0, 1, 0) === 1,
          netif: args.int(4, 0, 3, 0),
        }
        if (!ip.mux) throw new AtError()
        const running = ip.server?.config
        if (running) {
          // The same server again: `no change` on the log port. Another one: `server has already been started`.
          const same = running.port === config.port && running.type === config.type && running.caEnable === config.caEnable && running.netif === config.netif
          if (same) return 'OK' as const
          throw new AtError()
        }
        if (ip.mode === 1 && (ip.serverMaxConn !== 1 || ip.openLinks().length > 0)) throw new AtError()
        if (config.type === 'SSL' && !ctx.pki.hasServerCert(0)) throw new AtError(undefined, ['NO CERT FOUND'])
        if (config.caEnable && !ctx.pki.hasServerCa(0)) throw new AtError(undefined, ['NO CA FOUND'])
        const server = new DeviceServer(config, ctx)
        let listening: boolean
        try {
          listening = await server.listen()
        } catch {
          listening = false // a PEM file of the profile could not be read
        }
        if (!listening || !ctx.alive) {
          await server.close()
          throw new AtError()
        }
        ip.server = server
        return 'OK' as const
      },
    },
  ],
  [
    '+CIPSERVERMAXCONN',
    {
      query: (ctx) => {
        ctx.line(`+CIPSERVERMAXCONN:${ctx.state.ip.serverMaxConn}`)
        return 'OK' as const
      },
      set: (ctx, args) => {
        args.expectCount(1)
        const max = args.int(0, 1, MAX_LINKS)
        if (ctx.state.ip.server) throw new AtError() // to be set before the server is created
        ctx.state.ip.serverMaxConn = max
        return 'OK' as const
      },
    },
  ],
]
