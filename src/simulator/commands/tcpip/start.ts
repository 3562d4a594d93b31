import { createSocket } from 'node:dgram'
import type { Socket as UdpSocket } from 'node:dgram'
import type { Args } from '../../at-error.ts'
import { AtError } from '../../at-error.ts'
import type { CommandContext, CommandSpec } from '../../device.ts'
import { connectSocket } from '../../transport.ts'
import type { TlsCredentials } from '../../transport.ts'
import { bindAddressFor, MAX_HOST_LENGTH, resolveHost } from '../../tcpip/resolve.ts'
import { connectMessage, SocketLink } from '../../tcpip/socket-link.ts'
import type { LinkType } from '../../tcpip/socket-link.ts'
import { MAX_LINKS } from '../../tcpip/ip-state.ts'

const MAX_TIMEOUT_MS = 60_000

/** What AT+CIPSTART asks for, once its parameters are read. */
interface StartRequest {
  type: LinkType
  host: string
  port: number
  keepAliveSec: number
  localPort?: number
  udpMode: 0 | 1 | 2
  timeoutMs: number
}

/**
 * AT+CIPSTART=[<link ID>,]<"type">,<"remote host">,<remote port>[,...] (notes §3.2) and
 * AT+CIPSTARTEX (the lowest free ID chosen, with AT+CIPMUX=1): a real connection from this machine.
 * TCP and SSL: `[,<keep_alive>][,<"local IP">][,<timeout>]`; UDP: `[,<local port>,<mode>,<"local IP">][,<timeout>]`.
 * Success prints `CONNECT` (`<id>,CONNECT`) before OK; any failure is a plain ERROR (the firmware
 * logs the reason, `ALREADY CONNECTED` included, on its log port only).
 */
export const startCommands: [string, CommandSpec][] = [
  ['+CIPSTART', { set: (ctx, args) => start(ctx, args, false) }],
  ['+CIPSTARTEX', { set: (ctx, args) => start(ctx, args, true) }],
]

async function start(ctx: CommandContext, args: Args, autoId: boolean): Promise<'OK'> {
  const { ip } = ctx.state
  let id = 0
  let at = 0
  if (ip.mux && !autoId) {
    id = args.int(0, 0, MAX_LINKS - 1)
    at = 1
  }
  const request = readRequest(args, at)
  if (ip.mux && autoId) {
    const free = ip.freeId()
    if (free === undefined) throw new AtError()
    id = free
  }
  if (ip.links[id]) throw new AtError() // ALREADY CONNECTED, on the log port only
  // Passthrough allows one link: `shouldn't create client with existed server/client and cipmode=1`.
  if (ip.mode === 1 && (ip.server || ip.openLinks().length > 0)) throw new AtError()
  if (!ctx.state.hasNetwork) throw new AtError() // no ip
  const remoteIp = await resolveHost(ctx.profile, request.host)
  if (!remoteIp || !ctx.alive) throw new AtError()
  const link = request.type === 'UDP' ? await udpLink(ctx, id, request, remoteIp) : await streamLink(ctx, id, request, remoteIp)
  if (ip.links[id] || !ctx.alive) {
    await link.destroy()
    throw new AtError()
  }
  ip.links[id] = link
  ip.hadLinks = true
  ctx.urc(connectMessage(link, ip, ctx.state.sysmsg), { status: true })
  return 'OK'
}

function readRequest(args: Args, at: number): StartRequest {
  if (args.count < at + 3) throw new AtError()
  const typeName = args.str(at).toUpperCase()
  if (typeName !== 'TCP' && typeName !== 'UDP' && typeName !== 'SSL') throw args.outOfRange(at) // TCPv6, UDPv6, SSLv6: IPv6 is not modelled
  const type: LinkType = typeName
  const host = args.str(at + 1)
  if (host.length === 0 || host.length > MAX_HOST_LENGTH) throw args.outOfRange(at + 1)
  const port = args.int(at + 2, 1, 65_535)
  const request: StartRequest = { type, host, port, keepAliveSec: 0, udpMode: 0, timeoutMs: 0 }
  if (type === 'UDP') {
    if (args.count > at + 7) throw new AtError()
    if (args.has(at + 3)) request.localPort = args.int(at + 3, 1, 65_535)
    if (args.has(at + 4)) {
      // `<mode>` needs `<local port>` (notes §3.2).
      if (request.localPort === undefined) throw new AtError()
      request.udpMode = args.int(at + 4, 0, 2) as 0 | 1 | 2
    }
    if (args.has(at + 5)) args.str(at + 5)
    request.timeoutMs = args.int(at + 6, 0, MAX_TIMEOUT_MS, 0)
  } else {
    if (args.count > at + 6) throw new AtError()
    request.keepAliveSec = args.int(at + 3, 0, 7200, 0)
    if (args.has(at + 4)) args.str(at + 4)
    request.timeoutMs = args.int(at + 5, 0, MAX_TIMEOUT_MS, 0)
  }
  return request
}

async function streamLink(ctx: CommandContext, id: number, request: StartRequest, remoteIp: string): Promise<SocketLink> {
  let tls: TlsCredentials | undefined
  if (request.type === 'SSL') {
    const conf = ctx.state.ip.sslConfs[id]!
    try {
      tls = ctx.pki.clientCredentials(conf.authMode, conf.pkiNumber, conf.caNumber)
    } catch {
      throw new AtError() // a PEM file of the profile vanished or went bad since it was loaded
    }
  }
  let socket
  try {
    socket = await connectSocket({
      host: remoteIp,
      port: request.port,
      servername: request.host,
      timeoutMs: request.timeoutMs || ctx.profile.network.connectTimeoutMs,
      deviceNow: () => ctx.clock.now(),
      signal: ctx.signal,
      ...(tls ? { tls } : {}),
    })
  } catch {
    throw new AtError()
  }
  if (request.keepAliveSec > 0) socket.setKeepAlive(true, request.keepAliveSec * 1000)
  socket.setNoDelay(true)
  return new SocketLink(id, request.type, 0, { tcp: socket }, { ip: remoteIp, port: request.port }, ctx)
}

async function udpLink(ctx: CommandContext, id: number, request: StartRequest, remoteIp: string): Promise<SocketLink> {
  const socket: UdpSocket = createSocket('udp4')
  const bound = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false))
    socket.bind({ port: request.localPort ?? 0, address: bindAddressFor(remoteIp) }, () => resolve(true))
  })
  if (!bound) {
    try {
      socket.close()
    } catch {
      // never bound
    }
    throw new AtError() // the local port is taken
  }
  return new SocketLink(id, 'UDP', 0, { udp: socket, udpMode: request.udpMode }, { ip: remoteIp, port: request.port }, ctx)
}
