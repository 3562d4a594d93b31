import type { Duplex } from 'node:stream'
import type { Pki } from '../pki.ts'
import { connectSocket } from '../transport.ts'
import type { TlsCredentials } from '../transport.ts'
import type { AuthMode } from '../ws-config.ts'

/** AT+MQTTUSERCFG's `<scheme>`: 1 TCP, 2-5 TLS, 6 WebSocket, 7-10 WebSocket over TLS. */
export type Scheme = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10

export const isWebSocket = (scheme: Scheme) => scheme >= 6
export const isTls = (scheme: Scheme) => scheme !== 1 && scheme !== 6

/** How a TLS scheme authenticates, in AT+WSCFG's terms: 2/7 none, 3/8 verify the server, 4/9 client certificate, 5/10 both. */
export function authModeOf(scheme: Scheme): AuthMode {
  const offset = scheme >= 6 ? scheme - 5 : scheme
  return ({ 2: 0, 3: 2, 4: 1, 5: 3 } as Record<number, AuthMode>)[offset] ?? 0
}

export interface MqttTarget {
  scheme: Scheme
  /** The broker's address (resolved) and the name given, for SNI and the WebSocket Host header. */
  ip: string
  host: string
  port: number
  /** WebSocket path, `/` and the AT+MQTTUSERCFG `<"path">`. */
  path: string
}

/**
 * The byte stream under the MQTT client, opened as esp-mqtt opens it: TCP, TLS with the device's
 * PKI (the server's chain checked by the device clock in schemes 3, 5, 8, 10), or a WebSocket
 * (subprotocol `mqtt`) over either. Rejects when the connection cannot be made.
 */
export async function openMqttTransport(target: MqttTarget, pki: Pki, options: { timeoutMs: number; deviceNow: () => number; signal: AbortSignal }): Promise<Duplex> {
  let tls: TlsCredentials | undefined
  if (isTls(target.scheme)) tls = pki.clientCredentials(authModeOf(target.scheme), 0, 0)
  const socket = await connectSocket({
    host: target.ip,
    port: target.port,
    servername: target.host,
    timeoutMs: options.timeoutMs,
    deviceNow: options.deviceNow,
    signal: options.signal,
    ...(tls ? { tls } : {}),
  })
  if (!isWebSocket(target.scheme)) return socket
  const { WebSocket, createWebSocketStream } = await import('ws')
  const url = `${tls ? 'wss' : 'ws'}://${target.host}:${target.port}${target.path}`
  return new Promise<Duplex>((resolve, reject) => {
    const ws = new WebSocket(url, ['mqtt'], { createConnection: () => socket, perMessageDeflate: false })
    const timer = setTimeout(() => {
      ws.terminate()
      reject(new Error('no WebSocket handshake in time'))
    }, options.timeoutMs)
    ws.once('open', () => {
      clearTimeout(timer)
      const stream = createWebSocketStream(ws)
      stream.on('error', () => undefined)
      resolve(stream)
    })
    ws.once('error', (e) => {
      clearTimeout(timer)
      socket.destroy()
      reject(e)
    })
  })
}
