import { connect, createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { TelnetClient } from '../../src/link/telnet.ts'
import { DO, DONT, IAC, TelnetDecoder, WILL, WONT } from '../../src/link/telnet-codec.ts'
import type { TelnetEvent } from '../../src/link/telnet-codec.ts'
import { TelnetOptions } from '../../src/link/telnet-options.ts'

const BINARY = 0
const ECHO = 1
const SGA = 3
const NAWS = 31
const COM_PORT = 44

interface Peer {
  port: number
  /** What the client sent, decoded, in order. */
  events: TelnetEvent[]
  /** Raw bytes the client sent. */
  raw: number[]
  socket: () => Promise<Socket>
  until: (test: () => boolean) => Promise<void>
}

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

/** A scripted telnet server: `greet` is what it sends on connect; `answer` what it replies to each verb. */
async function peer(greet: number[], answer: (verb: number, option: number) => number[] = () => []): Promise<Peer> {
  const events: TelnetEvent[] = []
  const raw: number[] = []
  const waiters: (() => void)[] = []
  let resolveSocket: (s: Socket) => void
  const socketReady = new Promise<Socket>((r) => (resolveSocket = r))
  const server = createServer((socket) => {
    resolveSocket(socket)
    const decoder = new TelnetDecoder()
    if (greet.length) socket.write(Uint8Array.from(greet))
    socket.on('data', (chunk) => {
      raw.push(...chunk)
      for (const e of decoder.push(chunk)) {
        events.push(e)
        if (e.kind === 'negotiation') {
          const reply = answer(e.verb, e.option)
          if (reply.length) socket.write(Uint8Array.from(reply))
        }
      }
      waiters.splice(0).forEach((w) => w())
    })
    socket.on('error', () => {})
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const address = server.address()
  const until = async (test: () => boolean) => {
    while (!test()) await new Promise<void>((r) => waiters.push(r))
  }
  return { port: typeof address === 'object' && address ? address.port : 0, events, raw, socket: () => socketReady, until }
}

function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s))
    s.once('error', reject)
  })
}

/** ser2net 4.3's greeting on a `telnet` accepter, as measured: WILL SGA, DO SGA, WILL ECHO, DONT ECHO, DO BINARY, WILL BINARY. */
const SER2NET_GREETING = [IAC, WILL, SGA, IAC, DO, SGA, IAC, WILL, ECHO, IAC, DONT, ECHO, IAC, DO, BINARY, IAC, WILL, BINARY]

const negotiations = (events: TelnetEvent[]) => events.flatMap((e) => (e.kind === 'negotiation' ? [[e.verb, e.option]] : []))
const data = (events: TelnetEvent[]) => events.flatMap((e) => (e.kind === 'data' ? [...e.bytes] : []))

describe('telnet client', () => {
  it("against ser2net's greeting: agrees to BINARY and SGA, refuses ECHO once, and sends data with 0xFF doubled", async () => {
    const server = await peer(SER2NET_GREETING)
    const client = new TelnetClient(await connectTo(server.port))
    await client.start()
    expect(client.binary).toEqual({ out: true, in: true })
    client.write(Uint8Array.of(0x41, 0xff, 0x0d, 0x42))
    await server.until(() => data(server.events).length >= 4)
    expect(data(server.events)).toEqual([0x41, 0xff, 0x0d, 0x42])
    // On the wire the 0xFF went doubled, and a CR alone stayed a CR (binary mode).
    expect(server.raw.slice(-5)).toEqual([0x41, 0xff, 0xff, 0x0d, 0x42])
    // Answers: WILL SGA -> DO SGA, DO SGA -> WILL SGA, WILL ECHO -> DONT ECHO, DONT ECHO: nothing (never on),
    // DO BINARY -> WILL BINARY, WILL BINARY -> DO BINARY; nothing asked for on top.
    expect(negotiations(server.events)).toEqual([
      [DO, SGA],
      [WILL, SGA],
      [DONT, ECHO],
      [WILL, BINARY],
      [DO, BINARY],
    ])
    client.destroy()
  })

  it('strips IAC from what the server sends and turns IAC IAC into one 0xFF', async () => {
    const server = await peer(SER2NET_GREETING)
    const client = new TelnetClient(await connectTo(server.port))
    await client.start()
    const got: number[] = []
    client.on('data', (d: Buffer) => got.push(...d))
    const socket = await server.socket()
    // Data, a NOP, more data with an escaped 0xFF, a subnegotiation of a refused option, and the end.
    socket.write(Uint8Array.of(0x4f, 0x4b, IAC, 0xf1, 0x0d, 0x0a, IAC, IAC, IAC, 0xfa, NAWS, 1, 2, IAC, 0xf0, 0x21))
    await new Promise<void>((r) => {
      const check = () => (got.length >= 6 ? r() : setTimeout(check, 5))
      check()
    })
    expect(got).toEqual([0x4f, 0x4b, 0x0d, 0x0a, 0xff, 0x21])
    client.destroy()
  })

  it('asks for BINARY and SGA itself when the server offers other things first, and refuses those', async () => {
    // A console server that opens with DO NAWS and WILL ECHO, and agrees to whatever is asked.
    const server = await peer([IAC, DO, NAWS, IAC, WILL, ECHO], (verb, option) => (verb === WILL ? [IAC, DO, option] : verb === DO ? [IAC, WILL, option] : []))
    const client = new TelnetClient(await connectTo(server.port))
    await client.start()
    expect(client.binary).toEqual({ out: true, in: true })
    expect(negotiations(server.events)).toEqual([
      [WONT, NAWS],
      [DONT, ECHO],
      [WILL, BINARY],
      [DO, BINARY],
      [WILL, SGA],
      [DO, SGA],
    ])
    client.destroy()
  })

  it('where the server refuses BINARY, the NVT rule holds: CR alone goes as CR NUL, CR NUL comes back as CR', async () => {
    const server = await peer([IAC, WILL, SGA], (verb, option) => (option === BINARY ? [IAC, verb === WILL ? DONT : WONT, option] : verb === DO ? [IAC, WILL, option] : []))
    const client = new TelnetClient(await connectTo(server.port))
    await client.start()
    expect(client.binary).toEqual({ out: false, in: false })
    const got: number[] = []
    client.on('data', (d: Buffer) => got.push(...d))
    client.write(Uint8Array.of(0x61, 0x0d, 0x62, 0x0d, 0x0a))
    await server.until(() => data(server.events).length >= 6)
    expect(data(server.events)).toEqual([0x61, 0x0d, 0x00, 0x62, 0x0d, 0x0a])
    const socket = await server.socket()
    // CR NUL split across two writes still reads as one CR.
    socket.write(Uint8Array.of(0x78, 0x0d))
    await new Promise((r) => setTimeout(r, 20))
    socket.write(Uint8Array.of(0x00, 0x79))
    await new Promise<void>((r) => {
      const check = () => (got.length >= 3 ? r() : setTimeout(check, 5))
      check()
    })
    expect(got).toEqual([0x78, 0x0d, 0x79])
    client.destroy()
  })

  it('sends nothing to a port that does not speak telnet first, and says it is no telnet server', async () => {
    const server = await peer([])
    const client = new TelnetClient(await connectTo(server.port), 300)
    await expect(client.start()).rejects.toThrow('the server sent no telnet negotiation within 300 ms (a telnet server offers its options on connect; a raw TCP port says nothing: use tcp://)')
    // Not a byte reached the "device" behind the raw port.
    expect(server.raw).toEqual([])
    client.destroy()
  })

  it("names ser2net's refusal when it answers the connection with `Port already in use` and closes", async () => {
    const server = await peer([...SER2NET_GREETING, ...Buffer.from('Port already in use\r\n')])
    void server.socket().then((s) => setTimeout(() => s.end(), 5))
    const client = new TelnetClient(await connectTo(server.port))
    await expect(client.start()).rejects.toThrow('the server refused the connection: "Port already in use" (another client holds this port (set `kickolduser: true` on the connection to take it over))')
    client.destroy()
  })
})

describe('telnet options', () => {
  it('refuses an unwanted option once however often it is offered, and acknowledges turning off what was on', () => {
    const o = new TelnetOptions()
    expect(o.receive(WILL, ECHO)).toEqual(Uint8Array.of(IAC, DONT, ECHO))
    expect(o.receive(WILL, ECHO)).toBeUndefined()
    expect(o.receive(DO, COM_PORT)).toEqual(Uint8Array.of(IAC, WONT, COM_PORT))
    expect(o.receive(DO, BINARY)).toEqual(Uint8Array.of(IAC, WILL, BINARY))
    expect(o.receive(DO, BINARY)).toBeUndefined()
    expect(o.receive(DONT, BINARY)).toEqual(Uint8Array.of(IAC, WONT, BINARY))
    expect(o.receive(DONT, BINARY)).toBeUndefined()
  })

  it('an answer to its own request gets no reply (no negotiation loop)', () => {
    const o = new TelnetOptions()
    expect(o.request().map((b) => [...b])).toEqual([
      [IAC, WILL, BINARY],
      [IAC, DO, BINARY],
      [IAC, WILL, SGA],
      [IAC, DO, SGA],
    ])
    expect(o.pending(BINARY)).toBe(true)
    expect(o.receive(DO, BINARY)).toBeUndefined()
    expect(o.receive(WONT, BINARY)).toBeUndefined()
    expect(o.pending(BINARY)).toBe(false)
    expect(o.binaryOut).toBe(true)
    expect(o.binaryIn).toBe(false)
    expect(o.request()).toEqual([])
  })
})
