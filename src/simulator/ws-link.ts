import type { Socket } from 'node:net'
import type { WebSocket as WsSocket } from 'ws'
import type { DeviceRuntime } from './runtime.ts'
import { connectTransport } from './transport.ts'
import type { TlsCredentials } from './transport.ts'
import type { WsConfig } from './ws-config.ts'
import { wsDataWrites } from './ws-data.ts'
import { encodeClientFrame } from './ws-frame.ts'

/**
 * 0 closed, 1 connecting, 2 connected, 3 lost (waiting to reconnect), 4 closing; as AT+WSOPEN?
 * reports. The simulator never shows 4: `ws` tells of a server's close frame only once the
 * closing handshake is over, and then the link is released at once.
 */
export type WsLinkState = 0 | 1 | 2 | 3 | 4

export interface WsOpenOptions {
  subprotocol?: string
  /** Value of the Authorization header (AT+WSOPEN's `<"auth">`). */
  auth?: string
  /** AT+WSHEAD headers, `key: value`. */
  headers: string[]
  tls?: TlsCredentials
}

const OPCODE_CONTINUATION = 0
const OPCODE_PING = 9

/** Without an IP address a connection attempt fails after about this long (no route). */
const NO_ROUTE_MS = 50

/**
 * One of the three WebSocket links (reference §7.7): a real connection, made with node's net/tls
 * and the `ws` package, to a real server. It prints what esp_websocket_client makes the firmware
 * print: `+WS_CONNECTED` after a handshake (also after a reconnection), `+WS_DISCONNECTED` when
 * the transport fails (and again on every failed reconnection), `+WS_CLOSED` when the server
 * sends a close frame (the link is then released), `+WS_DATA` for data frames. It pings the server
 * and gives up on it when no pong comes in time. AT+WSCLOSE destroys it silently.
 */
export class WsLink {
  readonly id: number
  readonly uri: string
  readonly config: WsConfig
  state: WsLinkState = 1
  private readonly runtime: DeviceRuntime
  private readonly options: WsOpenOptions
  private socket: WsSocket | undefined
  private transport: Socket | undefined
  private destroyed = false
  /** Aborted by destroy(): a connection attempt still under way is given up, not waited for. */
  private readonly life = new AbortController()
  /** Cancel functions of the current connection's timers. */
  private pingTimer: (() => void) | undefined
  private pongTimer: (() => void) | undefined
  private dropTimer: (() => void) | undefined
  private reconnectTimer: (() => void) | undefined
  private waitingForPong = false
  private received = 0

  constructor(id: number, uri: string, config: WsConfig, options: WsOpenOptions, runtime: DeviceRuntime) {
    this.id = id
    this.uri = uri
    this.config = config
    this.options = options
    this.runtime = runtime
  }

  /**
   * AT+WSOPEN: connects within `timeoutMs`. 'failed' after `+WS_DISCONNECTED` was printed (the
   * transport or handshake failed), 'timeout' when nothing happened in time.
   */
  async open(timeoutMs: number): Promise<'connected' | 'failed' | 'timeout'> {
    const outcome = await this.connect(timeoutMs)
    if (outcome === 'failed' && !this.destroyed) this.runtime.urc(`+WS_DISCONNECTED:${this.id}`)
    if (outcome !== 'connected') await this.destroy()
    return outcome
  }

  /**
   * Sends a message as the client library does: payloads longer than buffer_size go out as a
   * fragmented message. False when the link is not connected or the write fails or times out.
   */
  send(payload: Uint8Array, opcode: number, fin: boolean, timeoutMs: number): Promise<boolean> {
    const transport = this.transport
    if (!transport || this.state !== 2) return Promise.resolve(false)
    const frames: Buffer[] = []
    if (opcode >= 3) frames.push(encodeClientFrame(opcode, true, payload))
    else {
      const size = this.config.bufferSize
      for (let offset = 0; offset === 0 || offset < payload.length; offset += size) {
        const last = offset + size >= payload.length
        frames.push(encodeClientFrame(offset === 0 ? opcode : OPCODE_CONTINUATION, last ? fin : false, payload.subarray(offset, offset + size)))
      }
    }
    return new Promise((resolve) => {
      let done = false
      const finish = (ok: boolean) => {
        if (done) return
        done = true
        clearTimeout(timer)
        resolve(ok)
      }
      const timer = timeoutMs > 0 ? setTimeout(() => finish(false), timeoutMs) : undefined
      transport.write(Buffer.concat(frames), (err) => finish(!err))
    })
  }

  /** Closes the connection without a close frame and prints nothing (AT+WSCLOSE, restart). */
  async destroy(): Promise<void> {
    this.destroyed = true
    this.life.abort()
    this.state = 0
    this.endConnection()
    this.reconnectTimer?.()
  }

  /** Cuts the transport as a network failure would: `+WS_DISCONNECTED`, then reconnection attempts. */
  dropTransport(): void {
    this.transport?.destroy()
  }

  private async connect(timeoutMs: number): Promise<'connected' | 'failed' | 'timeout'> {
    const url = new URL(this.uri)
    const deadline = Date.now() + timeoutMs
    if (!this.runtime.state.hasIp) {
      await this.runtime.sleep(Math.min(NO_ROUTE_MS, timeoutMs)).catch(() => undefined)
      return 'failed'
    }
    let transport: Socket
    try {
      transport = await connectTransport({
        url,
        timeoutMs,
        deviceNow: () => this.runtime.clock.now(),
        signal: this.life.signal,
        ...(this.options.tls ? { tls: this.options.tls } : {}),
      })
    } catch {
      return Date.now() >= deadline ? 'timeout' : 'failed'
    }
    if (this.destroyed || !this.runtime.alive) {
      transport.destroy()
      return 'failed'
    }
    return this.handshake(transport, Math.max(1, deadline - Date.now()))
  }

  private async handshake(transport: Socket, timeoutMs: number): Promise<'connected' | 'failed' | 'timeout'> {
    const { WebSocket } = await import('ws')
    const headers: Record<string, string> = {}
    for (const h of this.options.headers) {
      const colon = h.indexOf(':')
      headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim()
    }
    if (this.options.auth !== undefined) headers.Authorization = this.options.auth
    return new Promise((resolve) => {
      let settled = false
      const settle = (outcome: 'connected' | 'failed' | 'timeout') => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.life.signal.removeEventListener('abort', onGivenUp)
        resolve(outcome)
      }
      const timer = setTimeout(() => {
        transport.destroy()
        settle('timeout')
      }, timeoutMs)
      // Closed or powered off during the handshake: drop the half-open connection now.
      const onGivenUp = () => {
        transport.destroy()
        settle('failed')
      }
      this.life.signal.addEventListener('abort', onGivenUp, { once: true })
      let socket: WsSocket
      try {
        socket = new WebSocket(this.uri, this.options.subprotocol ? [this.options.subprotocol] : [], {
          createConnection: () => transport,
          perMessageDeflate: false,
          // The firmware hands text frames over as bytes; it never checks UTF-8.
          skipUTF8Validation: true,
          headers,
        })
      } catch {
        transport.destroy()
        settle('failed')
        return
      }
      socket.binaryType = 'nodebuffer'
      socket.on('error', () => {
        // 'close' follows every 'error' and decides what to print.
      })
      socket.once('open', () => {
        if (this.destroyed || !this.runtime.alive) {
          transport.destroy()
          settle('failed')
          return
        }
        this.socket = socket
        this.transport = transport
        this.state = 2
        this.received = 0
        this.runtime.urc(`+WS_CONNECTED:${this.id}`)
        this.startConnectionTimers()
        settle('connected')
      })
      socket.on('message', (data: Buffer, isBinary: boolean) => this.deliver(data, isBinary))
      socket.on('pong', () => {
        this.waitingForPong = false
        this.pongTimer?.()
        this.pongTimer = undefined
      })
      socket.on('close', (code: number) => {
        if (!settled) {
          settle('failed')
          return
        }
        if (this.destroyed || socket !== this.socket) return
        this.endConnection()
        // 1006: the connection ended without a close frame; anything else means the server sent one.
        if (code === 1006) this.lost()
        else {
          this.state = 0
          this.destroyed = true
          this.runtime.urc(`+WS_CLOSED:${this.id}`)
          this.release()
        }
      })
    })
  }

  private release(): void {
    const { state } = this.runtime
    if (state.links[this.id] !== this) return
    state.links[this.id] = undefined
    state.wsConfigs[this.id] = undefined
  }

  private lost(): void {
    this.state = 3
    this.runtime.urc(`+WS_DISCONNECTED:${this.id}`)
    this.reconnectTimer = this.runtime.after(this.runtime.profile.websocket.reconnectDelayMs, () => void this.reconnect())
  }

  private async reconnect(): Promise<void> {
    if (this.destroyed) return
    this.state = 1
    const outcome = await this.connect(this.runtime.profile.websocket.networkTimeoutMs)
    if (this.destroyed || !this.runtime.alive || outcome === 'connected') return
    this.lost()
  }

  /**
   * Pings every ping_intv_sec; the first unanswered ping starts the pong timeout, after which the
   * connection is aborted (esp_websocket_client's PONG_TIMEOUT). Also arms the dropped-link fault.
   */
  private startConnectionTimers(): void {
    const { runtime } = this
    this.waitingForPong = false
    const ping = () => {
      if (this.state !== 2 || !this.transport) return
      this.transport.write(encodeClientFrame(OPCODE_PING, true, new Uint8Array(0)))
      if (!this.waitingForPong) {
        this.waitingForPong = true
        this.pongTimer = runtime.after(this.config.pingTimeoutSec * 1000, () => {
          if (this.waitingForPong) this.dropTransport()
        })
      }
      this.pingTimer = runtime.after(this.config.pingIntervalSec * 1000, ping)
    }
    this.pingTimer = runtime.after(this.config.pingIntervalSec * 1000, ping)
    const afterMs = runtime.profile.faults.dropWebSocket?.afterMs
    if (afterMs !== undefined) this.dropTimer = runtime.after(afterMs, () => this.dropTransport())
  }

  private endConnection(): void {
    for (const cancel of [this.pingTimer, this.pongTimer, this.dropTimer]) cancel?.()
    this.pingTimer = this.pongTimer = this.dropTimer = undefined
    this.socket?.removeAllListeners('message')
    this.socket = undefined
    this.transport?.destroy()
    this.transport = undefined
  }

  private deliver(data: Buffer, isBinary: boolean): void {
    if (this.destroyed) return
    const format = this.runtime.state.wsDataFormats[this.id]!
    for (const write of wsDataWrites(this.id, { opcode: isBinary ? 2 : 1, fin: true, payload: data }, this.config.bufferSize, format)) {
      this.runtime.print(write)
    }
    this.received++
    const afterMessages = this.runtime.profile.faults.dropWebSocket?.afterMessages
    if (afterMessages !== undefined && this.received === afterMessages) this.dropTransport()
  }
}
