import { X509Certificate } from 'node:crypto'
import { connect as netConnect, isIP } from 'node:net'
import type { Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import type { PeerCertificate, TLSSocket } from 'node:tls'
import type { AuthMode } from './ws-config.ts'
import { verifyServerChain } from './tls-verify.ts'

/** What a wss:// link brings to the TLS handshake, from AT+WSCFG and the PKI partition. */
export interface TlsCredentials {
  authMode: AuthMode
  /** Client certificate and key, presented in auth modes 1 and 3. */
  cert?: string
  key?: string
  /** CAs that must have signed the server's chain, in auth modes 2 and 3. */
  cas?: X509Certificate[]
}

export interface TransportOptions {
  url: URL
  tls?: TlsCredentials
  timeoutMs: number
  /** The device's clock, against which the server's certificates are checked. */
  deviceNow(): number
  /** Aborted when the link is closed or the device powers off: the attempt is given up at once. */
  signal?: AbortSignal
}

/** A TCP connection, or a TLS one when `tls` is given (AT+CIPSTART "SSL", mqtts://). */
export interface SocketOptions {
  host: string
  port: number
  tls?: TlsCredentials
  /** The name sent as SNI when the server is not verified (modes 0 and 1); never an IP address. */
  servername?: string
  /** The local port to bind (AT+CIPSTART's UDP/TCP local settings); any when left out. */
  localPort?: number
  timeoutMs: number
  /** The device's clock, against which the server's certificates are checked. */
  deviceNow(): number
  /** Aborted when the link is closed or the device powers off: the attempt is given up at once. */
  signal?: AbortSignal
}

/** The connection could not be made: refused, timed out, TLS failed or the server's chain was refused. */
export class TransportError extends Error {}

/**
 * Opens the TCP (ws://) or TLS (wss://) connection under a WebSocket link, as esp-tls does:
 * - auth modes 0 and 1 do not verify the server at all and send the URI's host as SNI;
 * - auth modes 2 and 3 verify the chain against the device's CAs and the device's clock, never the
 *   host name, and (having skipped mbedtls_ssl_set_hostname) send no SNI (reference §7.9).
 * TLS is limited to 1.2, the version ESP-IDF's mbedTLS speaks by default.
 */
export function connectTransport(options: TransportOptions): Promise<Socket> {
  const { url } = options
  const secure = url.protocol === 'wss:'
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const port = Number(url.port || (secure ? 443 : 80))
  return connectSocket({
    host,
    port,
    servername: host,
    timeoutMs: options.timeoutMs,
    deviceNow: () => options.deviceNow(),
    ...(secure ? { tls: options.tls ?? { authMode: 0 } } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  })
}

/** Opens a TCP or TLS connection as esp-tls does (see connectTransport). */
export function connectSocket(options: SocketOptions): Promise<Socket> {
  const { host, port } = options
  const secure = options.tls !== undefined
  return new Promise<Socket>((resolve, reject) => {
    let settled = false
    const fail = (socket: Socket, message: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      socket.destroy()
      reject(new TransportError(message))
    }
    const succeed = (socket: Socket) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      socket.removeAllListeners('close')
      socket.removeAllListeners('error')
      // Errors from here on surface as 'close' to whoever uses the socket; an 'error' without a
      // listener (before `ws` and http attach theirs, a tick later) would crash the process.
      socket.on('error', () => {})
      resolve(socket)
    }
    let socket: Socket
    const local = options.localPort ? { localPort: options.localPort } : {}
    if (!secure) {
      socket = netConnect({ host, port, ...local })
      socket.once('connect', () => succeed(socket))
    } else {
      const tls = options.tls ?? { authMode: 0 }
      const verifies = tls.authMode === 2 || tls.authMode === 3
      const presents = tls.authMode === 1 || tls.authMode === 3
      const name = options.servername ?? ''
      const tlsSocket: TLSSocket = tlsConnect({
        host,
        port,
        ...local,
        // Node would send an IP address as SNI only with a warning; esp-tls sends none here anyway.
        servername: verifies || isIP(name) ? '' : name,
        rejectUnauthorized: false,
        maxVersion: 'TLSv1.2',
        ...(presents ? { cert: tls.cert, key: tls.key } : {}),
      })
      socket = tlsSocket
      tlsSocket.once('secureConnect', () => {
        if (!verifies) return succeed(tlsSocket)
        const verdict = verifyServerChain(peerChain(tlsSocket), tls.cas ?? [], options.deviceNow())
        if (verdict.ok) succeed(tlsSocket)
        else fail(tlsSocket, `server certificate refused: ${verdict.detail}`)
      })
    }
    socket.once('error', (e: NodeJS.ErrnoException) => fail(socket, e.code ?? e.message))
    socket.once('close', () => fail(socket, 'connection closed during the handshake'))
    const timer = setTimeout(() => fail(socket, `no connection within ${options.timeoutMs} ms`), options.timeoutMs)
    const onAbort = () => fail(socket, 'the attempt was given up')
    if (options.signal?.aborted) onAbort()
    else options.signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** The certificates the server presented, leaf first. */
function peerChain(socket: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = []
  let cert: PeerCertificate | undefined = socket.getPeerCertificate(true)
  const seen = new Set<string>()
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256)
    out.push(new X509Certificate(cert.raw))
    const next: PeerCertificate | undefined = (cert as PeerCertificate & { issuerCertificate?: PeerCertificate }).issuerCertificate
    cert = next
  }
  return out
}
