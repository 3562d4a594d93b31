import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { WebSocketServer } from 'ws'
import type { WebSocket } from 'ws'

export const ROOT = new URL('../..', import.meta.url).pathname
export const PROJECT_PKI = `${ROOT}scenarios/pki/`
export const DOC_CERTS = `${ROOT}scenarios/certs/`
// The stock firmware's PKI is external material: stockPki() in test/helpers/external-material.ts.

export const pem = (path: string) => readFileSync(path, 'utf8')

export interface Connection {
  ws: WebSocket
  request: IncomingMessage
  messages: { data: Buffer; isBinary: boolean }[]
  /** The SNI the client sent (TLS servers only); false when it sent none. */
  servername?: string | false
}

export interface TlsServerOptions {
  cert: string
  key: string
  /** CA that must have signed the client's certificate; with it the server requires one. */
  clientCa?: string
}

export interface TestWsServer {
  port: number
  connections: Connection[]
  /** Resolves with the next connection (or the first one not yet taken). */
  nextConnection(): Promise<Connection>
  close(): Promise<void>
}

/**
 * A WebSocket server on 127.0.0.1 (an ephemeral port) made with `ws`: echoes messages unless told
 * not to, records each connection's request headers and messages. With `tls`, it is a wss://
 * server like the doc's Python one.
 */
export async function startWsServer(options: { tls?: TlsServerOptions; echo?: boolean; autoPong?: boolean } = {}): Promise<TestWsServer> {
  const connections: Connection[] = []
  let taken = 0
  let waiting: ((c: Connection) => void)[] = []
  let https: ReturnType<typeof createHttpsServer> | undefined
  if (options.tls) {
    https = createHttpsServer({
      cert: options.tls.cert,
      key: options.tls.key,
      ...(options.tls.clientCa ? { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
    })
    await new Promise<void>((resolve) => https!.listen(0, '127.0.0.1', resolve))
  }
  const wss = https
    ? new WebSocketServer({ server: https, autoPong: options.autoPong ?? true })
    : new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: options.autoPong ?? true })
  if (!https) await new Promise<void>((resolve) => wss.once('listening', resolve))
  wss.on('connection', (ws, request) => {
    const socket = request.socket as TLSSocket
    const connection: Connection = { ws, request, messages: [], ...(https ? { servername: socket.servername ?? false } : {}) }
    connections.push(connection)
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      connection.messages.push({ data, isBinary })
      if (options.echo ?? true) ws.send(data, { binary: isBinary })
    })
    ws.on('error', () => undefined)
    const waiter = waiting.shift()
    if (waiter) {
      taken++
      waiter(connection)
    }
  })
  const address = (https ? https.address() : wss.address()) as AddressInfo
  return {
    port: address.port,
    connections,
    nextConnection: () => {
      if (taken < connections.length) return Promise.resolve(connections[taken++]!)
      return new Promise((resolve) => waiting.push(resolve))
    },
    close: async () => {
      waiting = []
      for (const c of wss.clients) c.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      if (https) {
        https.closeAllConnections()
        await new Promise<void>((resolve) => https.close(() => resolve()))
      }
    },
  }
}

export interface Frame {
  fin: boolean
  opcode: number
  masked: boolean
  payload: Buffer
}

export interface RawConnection {
  socket: Socket
  request: string
  frames: Frame[]
  /** Resolves once `count` frames arrived in total. */
  framesUntil(count: number): Promise<Frame[]>
  /** Sends one server frame (unmasked), any opcode and FIN bit. */
  sendFrame(opcode: number, fin: boolean, payload: Uint8Array): void
}

export interface RawWsServer {
  port: number
  nextConnection(): Promise<RawConnection>
  close(): Promise<void>
}

/**
 * A WebSocket server that answers the handshake by hand and then shows every frame as it came:
 * opcode, FIN bit, mask, payload. For what `ws` would hide or refuse (fragments, reserved opcodes).
 */
export async function startRawWsServer(): Promise<RawWsServer> {
  const sockets = new Set<Socket>()
  const pending: RawConnection[] = []
  let waiting: ((c: RawConnection) => void)[] = []
  const server: Server = createNetServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    let buffer = Buffer.alloc(0)
    let connection: RawConnection | undefined
    const frameWaiters: { count: number; resolve: (f: Frame[]) => void }[] = []
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      if (!connection) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end < 0) return
        const request = buffer.subarray(0, end).toString('latin1')
        buffer = buffer.subarray(end + 4)
        const key = /^sec-websocket-key:\s*(.+)$/im.exec(request)![1]!.trim()
        const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
        const frames: Frame[] = []
        connection = {
          socket,
          request,
          frames,
          framesUntil: (count) => (frames.length >= count ? Promise.resolve(frames) : new Promise((resolve) => frameWaiters.push({ count, resolve }))),
          sendFrame: (opcode, fin, payload) => socket.write(serverFrame(opcode, fin, payload)),
        }
        const waiter = waiting.shift()
        if (waiter) waiter(connection)
        else pending.push(connection)
      }
      for (;;) {
        const parsed = parseFrame(buffer)
        if (!parsed) break
        buffer = buffer.subarray(parsed.size)
        connection.frames.push(parsed.frame)
        for (const w of [...frameWaiters]) {
          if (connection.frames.length >= w.count) {
            frameWaiters.splice(frameWaiters.indexOf(w), 1)
            w.resolve(connection.frames)
          }
        }
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    nextConnection: () => {
      const ready = pending.shift()
      if (ready) return Promise.resolve(ready)
      return new Promise((resolve) => waiting.push(resolve))
    },
    close: async () => {
      waiting = []
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function parseFrame(buffer: Buffer): { frame: Frame; size: number } | undefined {
  if (buffer.length < 2) return undefined
  const fin = (buffer[0]! & 0x80) !== 0
  const opcode = buffer[0]! & 0x0f
  const masked = (buffer[1]! & 0x80) !== 0
  let length = buffer[1]! & 0x7f
  let offset = 2
  if (length === 126) {
    if (buffer.length < 4) return undefined
    length = buffer.readUInt16BE(2)
    offset = 4
  } else if (length === 127) {
    if (buffer.length < 10) return undefined
    length = Number(buffer.readBigUInt64BE(2))
    offset = 10
  }
  const maskKey = masked ? buffer.subarray(offset, offset + 4) : undefined
  if (masked) offset += 4
  if (buffer.length < offset + length) return undefined
  const payload = Buffer.from(buffer.subarray(offset, offset + length))
  if (maskKey) for (let i = 0; i < payload.length; i++) payload[i]! ^= maskKey[i & 3]!
  return { frame: { fin, opcode, masked, payload }, size: offset + length }
}

function serverFrame(opcode: number, fin: boolean, payload: Uint8Array): Buffer {
  const length = payload.length
  const head = length < 126 ? Buffer.from([0, length]) : Buffer.alloc(4)
  if (length >= 126) {
    head[1] = 126
    head.writeUInt16BE(length, 2)
  }
  head[0] = (fin ? 0x80 : 0) | opcode
  return Buffer.concat([head, Buffer.from(payload)])
}

export interface TcpPeer {
  socket: Socket
  /** Everything received on this connection so far. */
  received(): Buffer
  /** Resolves once at least `count` bytes arrived in all. */
  bytesUntil(count: number): Promise<Buffer>
  /** Resolves when the other end closed the connection. */
  closed: Promise<void>
}

export interface TestTcpServer {
  port: number
  nextConnection(): Promise<TcpPeer>
  close(): Promise<void>
}

/**
 * A TCP server on 127.0.0.1 (an ephemeral port), plain or TLS; echoes what it gets unless told
 * not to. Each connection shows what came in, and can be written to and ended by the test.
 */
export async function startTcpServer(options: { echo?: boolean; tls?: TlsServerOptions } = {}): Promise<TestTcpServer> {
  const sockets = new Set<Socket>()
  const pending: TcpPeer[] = []
  let waiting: ((p: TcpPeer) => void)[] = []
  const onSocket = (socket: Socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    const peer = tcpPeer(socket)
    if (options.echo ?? true) socket.on('data', (d: Buffer) => socket.write(d))
    const waiter = waiting.shift()
    if (waiter) waiter(peer)
    else pending.push(peer)
  }
  let server: Server
  if (options.tls) {
    const { createServer: createTlsServer } = await import('node:tls')
    server = createTlsServer(
      {
        cert: options.tls.cert,
        key: options.tls.key,
        ...(options.tls.clientCa ? { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
      },
      onSocket,
    )
    server.on('tlsClientError', () => undefined)
  } else server = createNetServer(onSocket)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    nextConnection: () => {
      const ready = pending.shift()
      if (ready) return Promise.resolve(ready)
      return new Promise((resolve) => waiting.push(resolve))
    },
    close: async () => {
      waiting = []
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A TCP client of the device's own server (AT+CIPSERVER), on 127.0.0.1. */
export async function connectTcp(port: number, tls?: { cert?: string; key?: string }): Promise<TcpPeer> {
  const { connect } = await import('node:net')
  const tlsModule = tls ? await import('node:tls') : undefined
  const socket: Socket = tlsModule
    ? tlsModule.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(tls?.cert ? { cert: tls.cert, key: tls.key } : {}) })
    : connect({ host: '127.0.0.1', port })
  await new Promise<void>((resolve, reject) => {
    socket.once(tlsModule ? 'secureConnect' : 'connect', () => resolve())
    socket.once('error', reject)
  })
  socket.on('error', () => undefined)
  return tcpPeer(socket)
}

function tcpPeer(socket: Socket): TcpPeer {
  let data = Buffer.alloc(0)
  let waiters: { count: number; resolve: (b: Buffer) => void }[] = []
  socket.on('data', (d: Buffer) => {
    data = Buffer.concat([data, d])
    for (const w of [...waiters]) if (data.length >= w.count) w.resolve(data)
    waiters = waiters.filter((w) => data.length < w.count)
  })
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  return {
    socket,
    received: () => data,
    bytesUntil: (count) => (data.length >= count ? Promise.resolve(data) : new Promise((resolve) => waiters.push({ count, resolve }))),
    closed,
  }
}

export interface UdpPeer {
  port: number
  /** Datagrams received, with their sender. */
  datagrams: { data: Buffer; port: number }[]
  next(): Promise<{ data: Buffer; port: number }>
  send(data: string | Uint8Array, port: number): Promise<void>
  close(): Promise<void>
}

/** A UDP socket on 127.0.0.1 (an ephemeral port). */
export async function startUdpPeer(): Promise<UdpPeer> {
  const { createSocket } = await import('node:dgram')
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  const datagrams: { data: Buffer; port: number }[] = []
  let taken = 0
  let waiting: ((d: { data: Buffer; port: number }) => void)[] = []
  socket.on('message', (data, from) => {
    const d = { data, port: from.port }
    datagrams.push(d)
    const w = waiting.shift()
    if (w) {
      taken++
      w(d)
    }
  })
  return {
    port: socket.address().port,
    datagrams,
    next: () => (taken < datagrams.length ? Promise.resolve(datagrams[taken++]!) : new Promise((resolve) => waiting.push(resolve))),
    send: (data, port) => new Promise((resolve, reject) => socket.send(data, port, '127.0.0.1', (e) => (e ? reject(e) : resolve()))),
    close: async () => {
      waiting = []
      await new Promise<void>((resolve) => socket.close(() => resolve()))
    },
  }
}

export interface TestHttpServer {
  port: number
  /** Requests received: method, URL, headers (lower-case keys) and body. */
  requests: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: Buffer }[]
  close(): Promise<void>
}

/**
 * An HTTP server on 127.0.0.1 (an ephemeral port), plain or TLS: `/status/<n>` answers that status,
 * `/bytes/<n>` n bytes of `x`, anything else echoes the request as JSON, as httpbin does.
 */
export async function startHttpServer(options: { tls?: TlsServerOptions } = {}): Promise<TestHttpServer> {
  const requests: TestHttpServer['requests'] = []
  const { createServer: createHttp } = await import('node:http')
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = []
    req.on('data', (d: Buffer) => parts.push(d))
    req.on('end', () => {
      const body = Buffer.concat(parts)
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      const status = /^\/status\/(\d+)/.exec(req.url ?? '')
      const bytes = /^\/bytes\/(\d+)/.exec(req.url ?? '')
      const out = status ? Buffer.from('nope') : bytes ? Buffer.alloc(Number(bytes[1]), 0x78) : Buffer.from(JSON.stringify({ method: req.method, url: req.url, data: body.toString() }))
      res.writeHead(status ? Number(status[1]) : 200, { 'Content-Type': 'application/json', 'Content-Length': out.length })
      res.end(req.method === 'HEAD' ? undefined : out)
    })
  }
  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createHttp(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
