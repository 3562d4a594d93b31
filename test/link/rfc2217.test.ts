import { createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Rfc2217Client, Rfc2217Error } from '../../src/link/rfc2217.ts'
import { DO, DONT, escapeData, subnegotiation, TelnetDecoder, WILL } from '../../src/link/telnet-codec.ts'
import type { TelnetEvent } from '../../src/link/telnet-codec.ts'
import { connect } from 'node:net'

interface FakeServer {
  server: Server
  port: number
  /** Everything the client sent, decoded. */
  events: TelnetEvent[]
  socket: () => Socket
  /** Resolves once the client has sent this many data bytes in all. */
  dataBytes: (n: number) => Promise<number[]>
}

/**
 * A scripted RFC 2217 server on 127.0.0.1: accepts COM-PORT (or refuses it), answers requests by
 * echoing their value with the code + 100 (except those it is told to ignore), and records all.
 */
async function fakeServer(options: { offerFirst?: boolean; refuseComPort?: boolean; ignore?: (code: number, value: number[]) => boolean; baudAnswer?: number } = {}): Promise<FakeServer> {
  const events: TelnetEvent[] = []
  const waiters: (() => void)[] = []
  const data = () => events.flatMap((e) => (e.kind === 'data' ? [...e.bytes] : []))
  let client: Socket | undefined
  const server = createServer((socket) => {
    client = socket
    // As ser2net's telnet(rfc2217) accepter does: DO COM-PORT on connect, before the client asks.
    if (options.offerFirst) socket.write(Uint8Array.of(0xff, DO, 44))
    const decoder = new TelnetDecoder()
    socket.on('data', (chunk) => {
      for (const e of decoder.push(chunk)) {
        events.push(e)
        if (e.kind === 'data') waiters.splice(0).forEach((w) => w())
        // Having offered it, the server takes the client's WILL as the answer to its DO, and says nothing more.
        if (e.kind === 'negotiation' && e.verb === WILL && e.option === 44 && !options.offerFirst) socket.write(Uint8Array.of(0xff, options.refuseComPort ? DONT : DO, 44))
        if (e.kind === 'subnegotiation' && e.option === 44) {
          const [code, ...value] = e.payload
          if (options.ignore?.(code!, value)) continue
          let answer = value
          if (code === 1 && options.baudAnswer !== undefined) {
            const b = new Uint8Array(4)
            new DataView(b.buffer).setUint32(0, options.baudAnswer)
            answer = [...b]
          }
          socket.write(subnegotiation(44, Uint8Array.of(code! + 100, ...answer)))
        }
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const address = server.address()
  const dataBytes = (n: number): Promise<number[]> =>
    data().length >= n ? Promise.resolve(data()) : new Promise((resolve) => waiters.push(() => void dataBytes(n).then(resolve)))
  return { server, port: typeof address === 'object' && address ? address.port : 0, events, socket: () => client!, dataBytes }
}

function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s))
    s.once('error', reject)
  })
}

const settings = { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1, flow: 'none' } as const

describe('RFC 2217 client', () => {
  const cleanup: (() => void)[] = []
  afterEach(() => cleanup.splice(0).forEach((f) => f()))

  it('negotiates COM-PORT, binary and SGA, then sets baud, data size, parity, stop size and flow', async () => {
    const fake = await fakeServer()
    const client = new Rfc2217Client(await connectTo(fake.port), 1000)
    cleanup.push(() => client.destroy(), () => fake.server.close())
    await client.start({ ...settings, baudRate: 921600, parity: 'even', stopBits: 2, flow: 'rtscts' })
    const negotiations = fake.events.filter((e) => e.kind === 'negotiation').map((e) => e.kind === 'negotiation' && [e.verb, e.option])
    expect(negotiations).toEqual([
      [WILL, 44],
      [WILL, 0],
      [DO, 0],
      [WILL, 3],
      [DO, 3],
    ])
    const requests = fake.events.filter((e) => e.kind === 'subnegotiation').map((e) => e.kind === 'subnegotiation' && [...e.payload])
    expect(requests).toEqual([
      [1, 0x00, 0x0e, 0x10, 0x00], // 921600, big-endian
      [2, 8],
      [3, 3], // even
      [4, 2],
      [5, 3], // hardware flow control
    ])
  })

  it('a baud change reports the rate the server answered', async () => {
    const fake = await fakeServer({ baudAnswer: 115200 })
    const client = new Rfc2217Client(await connectTo(fake.port), 1000)
    cleanup.push(() => client.destroy(), () => fake.server.close())
    await client.start(settings)
    expect(await client.setBaudRate(9600)).toBe(115200)
  })

  it('escapes 0xFF in data both ways', async () => {
    const fake = await fakeServer()
    const client = new Rfc2217Client(await connectTo(fake.port), 1000)
    cleanup.push(() => client.destroy(), () => fake.server.close())
    await client.start(settings)
    const received: Buffer[] = []
    client.on('data', (b: Buffer) => received.push(b))
    const gotAll = new Promise<void>((resolve) => client.on('data', () => Buffer.concat(received).length >= 4 && resolve()))
    fake.socket().write(escapeData(Uint8Array.of(0xff, 0x01, 0xff, 0x02)))
    await gotAll
    expect([...Buffer.concat(received)]).toEqual([0xff, 0x01, 0xff, 0x02])
    fake.events.length = 0
    client.write(Uint8Array.of(0x41, 0xff, 0x42))
    expect(await fake.dataBytes(3)).toEqual([0x41, 0xff, 0x42])
  })

  it('a request the server never answers times out with a message instead of hanging', async () => {
    const fake = await fakeServer({ ignore: (code, value) => code === 5 && (value[0] === 8 || value[0] === 9) })
    const client = new Rfc2217Client(await connectTo(fake.port), 200)
    cleanup.push(() => client.destroy(), () => fake.server.close())
    await client.start(settings)
    await expect(client.setLines({ dtr: false })).rejects.toThrow(/did not answer the DTR request within 200 ms/)
  })

  it('a server that offers COM-PORT before the client starts (ser2net) is taken at its word', async () => {
    const fake = await fakeServer({ offerFirst: true })
    const client = new Rfc2217Client(await connectTo(fake.port), 500)
    cleanup.push(() => client.destroy(), () => fake.server.close())
    // The offer arrives while the client is not yet in start().
    await new Promise((r) => setTimeout(r, 100))
    await client.start(settings)
    expect(await client.setBaudRate(9600)).toBe(9600)
  })

  it('a server that refuses COM-PORT is reported as such', async () => {
    const fake = await fakeServer({ refuseComPort: true })
    const client = new Rfc2217Client(await connectTo(fake.port), 300)
    cleanup.push(() => client.destroy(), () => fake.server.close())
    await expect(client.start(settings)).rejects.toThrow(Rfc2217Error)
  })
})

describe('RFC 2217 client, connection lost', () => {
  it('a server that closes during the negotiation makes start() fail, not hang', async () => {
    const server = createServer((socket) => socket.destroy())
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const client = new Rfc2217Client(await connectTo(port), 5000)
    try {
      await expect(client.start(settings)).rejects.toThrow(/closed the connection/)
    } finally {
      client.destroy()
      server.close()
    }
  })
})
