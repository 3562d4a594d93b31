import { createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import type { TLSSocket } from 'node:tls'
import { X509Certificate } from 'node:crypto'
import type { DeviceRuntime } from '../runtime.ts'
import { verifyServerChain } from '../tls-verify.ts'
import { connectMessage, SocketLink } from './socket-link.ts'

/** Where the device's server listens on this machine: loopback only (tests never listen beyond it). */
export const LISTEN_ADDRESS = '127.0.0.1'

export interface ServerConfig {
  port: number
  type: 'TCP' | 'SSL'
  /** SSL: clients must present a certificate signed by the device's server CA. */
  caEnable: boolean
  netif: number
}

/**
 * AT+CIPSERVER's listener (notes §3.10): a real server on 127.0.0.1:<port>. Each client takes the
 * lowest free link ID and is announced with `<id>,CONNECT`; when AT+CIPSERVERMAXCONN clients are
 * connected, more are turned away. An SSL server presents the device's server certificate and,
 * with `<CA enable>`, checks that the client's was signed by the device's server CA.
 */
export class DeviceServer {
  readonly config: ServerConfig
  private readonly runtime: DeviceRuntime
  private server: Server | undefined
  /** Connections still in their TLS handshake: not links yet, closed with the server. */
  private readonly handshaking = new Set<Socket>()

  constructor(config: ServerConfig, runtime: DeviceRuntime) {
    this.config = config
    this.runtime = runtime
  }

  /** Starts listening; false when the port cannot be had (in use, not permitted). */
  async listen(): Promise<boolean> {
    const server = this.config.type === 'SSL' ? this.tlsServer() : createServer((s) => this.accepted(s))
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false))
      server.listen(this.config.port, LISTEN_ADDRESS, () => resolve(true))
    })
    if (!ok) return false
    server.on('error', () => undefined)
    this.server = server
    return true
  }

  /** Stops listening; the links of its clients stay (AT+CIPSERVER=0) unless the caller closes them. */
  async close(): Promise<void> {
    const server = this.server
    this.server = undefined
    for (const s of this.handshaking) s.destroy()
    // The listening socket closes now; close()'s callback would wait for the links to end.
    server?.close()
  }

  private tlsServer(): Server {
    const { pki } = this.runtime
    const credentials = pki.serverCredentials(0)
    const server = createTlsServer({
      ...credentials,
      maxVersion: 'TLSv1.2',
      // Checked below, against the device's server CA.
      requestCert: this.config.caEnable,
      rejectUnauthorized: false,
    })
    server.on('connection', (raw: Socket) => {
      this.handshaking.add(raw)
      raw.once('close', () => this.handshaking.delete(raw))
    })
    server.on('secureConnection', (socket: TLSSocket) => {
      for (const raw of this.handshaking) if (raw.remotePort === socket.remotePort) this.handshaking.delete(raw)
      if (this.config.caEnable && !this.clientTrusted(socket)) {
        socket.destroy()
        return
      }
      this.accepted(socket)
    })
    server.on('tlsClientError', () => undefined)
    return server
  }

  private clientTrusted(socket: TLSSocket): boolean {
    const cert = socket.getPeerX509Certificate()
    if (!cert) return false
    // Not by the clock: the doc's mutual-authentication server example works with no SNTP step,
    // where the device clock still reads 1970 [inf].
    const verdict = verifyServerChain([new X509Certificate(cert.raw)], this.runtime.pki.serverCa(0), undefined)
    return verdict.ok
  }

  private accepted(socket: Socket): void {
    const { runtime } = this
    const ip = runtime.state.ip
    socket.on('error', () => undefined)
    const serverLinks = ip.openLinks().filter((l) => l.terminal === 1).length
    const id = ip.freeId()
    if (!this.server || id === undefined || serverLinks >= ip.serverMaxConn || !runtime.alive) {
      socket.destroy() // `connect reach max` in the firmware's log
      return
    }
    const link = new SocketLink(id, this.config.type, 1, { tcp: socket }, { ip: socket.remoteAddress?.replace(/^::ffff:/, '') ?? '0.0.0.0', port: socket.remotePort ?? 0 }, runtime)
    ip.links[id] = link
    ip.hadLinks = true
    runtime.urc(connectMessage(link, ip, runtime.state.sysmsg), { status: true })
  }
}
