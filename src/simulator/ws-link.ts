import type { WebSocket as WsSocket } from 'ws'

export interface WsLinkConfig {
  pingIntervalSec: number
  pingTimeoutSec: number
  bufferSize: number
}

export const DEFAULT_WS_CONFIG: WsLinkConfig = { pingIntervalSec: 10, pingTimeoutSec: 120, bufferSize: 1024 }

/** 0 closed, 1 connecting, 2 connected, 3 lost (waiting to reconnect), 4 closing; as AT+WSOPEN? reports. */
export type WsLinkState = 0 | 1 | 2 | 3 | 4

export interface WsLinkHost {
  print(bytes: string | Uint8Array): void
  /** The link is gone for good (server close frame): the device forgets it. */
  released(id: number): void
}

/**
 * One of the three WebSocket links, as a real connection made with `ws` to a real server. Prints
 * the URCs the firmware prints: `+WS_DATA` chunked by the buffer size, `+WS_CLOSED` for a server
 * close frame, `+WS_DISCONNECTED` for a transport failure.
 */
export class WsLink {
  readonly id: number
  readonly uri: string
  readonly config: WsLinkConfig
  state: WsLinkState = 1
  private socket: WsSocket | undefined
  private readonly host: WsLinkHost
  private destroyed = false

  constructor(id: number, uri: string, config: WsLinkConfig, host: WsLinkHost) {
    this.id = id
    this.uri = uri
    this.config = config
    this.host = host
  }

  /** Connects; true once the handshake completed, false after a failure or the timeout. */
  async open(timeoutMs: number, subprotocol?: string, auth?: string): Promise<boolean> {
    const { WebSocket } = await import('ws')
    return new Promise<boolean>((resolve) => {
      let settled = false
      const headers: Record<string, string> = auth ? { Authorization: auth } : {}
      let socket: WsSocket
      try {
        socket = new WebSocket(this.uri, subprotocol ? [subprotocol] : [], {
          handshakeTimeout: timeoutMs,
          perMessageDeflate: false,
          headers,
        })
      } catch {
        resolve(false)
        return
      }
      this.socket = socket
      socket.binaryType = 'nodebuffer'
      socket.on('open', () => {
        settled = true
        this.state = 2
        this.host.print(`+WS_CONNECTED:${this.id}\r\n`)
        resolve(true)
      })
      socket.on('message', (data: Buffer) => this.deliver(data))
      socket.on('error', () => {
        // 'close' follows every 'error'; it decides what to print.
      })
      socket.on('close', (code: number) => {
        if (this.destroyed) return
        if (!settled) {
          settled = true
          this.state = 0
          this.host.print(`+WS_DISCONNECTED:${this.id}\r\n`)
          resolve(false)
          return
        }
        // 1006: the connection dropped without a close frame.
        if (code === 1006) {
          this.state = 3
          this.host.print(`+WS_DISCONNECTED:${this.id}\r\n`)
        } else {
          this.state = 0
          this.host.print(`+WS_CLOSED:${this.id}\r\n`)
          this.host.released(this.id)
        }
      })
    })
  }

  /** Sends one frame; false when the link is not connected or the write fails. */
  send(bytes: Uint8Array, opcode: number): Promise<boolean> {
    const socket = this.socket
    if (!socket || this.state !== 2) return Promise.resolve(false)
    return new Promise((resolve) => {
      const done = (err?: Error) => resolve(!err)
      if (opcode === 1) socket.send(bytes, { binary: false, fin: true }, done)
      else if (opcode === 2) socket.send(bytes, { binary: true, fin: true }, done)
      else if (opcode === 9) socket.ping(bytes, undefined, done)
      else if (opcode === 10) socket.pong(bytes, undefined, done)
      else if (opcode === 8) {
        const code = bytes.length >= 2 ? (bytes[0]! << 8) | bytes[1]! : undefined
        socket.close(code, Buffer.from(bytes.subarray(2)))
        resolve(true)
      } else resolve(false)
    })
  }

  /** Closes the TCP connection without a close frame, as AT+WSCLOSE does; prints nothing. */
  async destroy(): Promise<void> {
    this.destroyed = true
    this.state = 0
    this.socket?.terminate()
  }

  private deliver(data: Buffer): void {
    const size = this.config.bufferSize
    if (data.length === 0) {
      this.host.print(`+WS_DATA:${this.id},0,\r\n`)
      return
    }
    for (let offset = 0; offset < data.length; offset += size) {
      const chunk = data.subarray(offset, offset + size)
      // Header, payload and trailer in one write: atomic with respect to other output.
      this.host.print(Buffer.concat([Buffer.from(`+WS_DATA:${this.id},${chunk.length},`), chunk, Buffer.from('\r\n')]))
    }
  }
}
