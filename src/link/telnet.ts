import { Duplex } from 'node:stream'
import type { Socket } from 'node:net'
import { serverRefusal, Tail } from './remote-close.ts'
import { escapeData, OPTION_BINARY, TelnetDecoder } from './telnet-codec.ts'
import type { TelnetEvent } from './telnet-codec.ts'
import { TelnetOptions } from './telnet-options.ts'

export class TelnetError extends Error {}

const CR = 0x0d
const LF = 0x0a
const NUL = 0x00
const DEFAULT_NEGOTIATION_TIMEOUT_MS = 2000

/**
 * A plain telnet client for a serial console (ser2net's `telnet` accepter, a console server, what
 * LAVA's `telnet HOST PORT` reaches): a byte Duplex of the device's data, with IAC stripped on the
 * way in and doubled on the way out. It asks for BINARY and SUPPRESS-GO-AHEAD both ways and refuses
 * every other option; where the server will not do BINARY in a direction, the NVT rule for CR holds
 * there (a CR not followed by LF is sent as CR NUL, and CR NUL received is CR). The server's close
 * ends the readable side (see RemoteConsole for what it means).
 */
export class TelnetClient extends Duplex {
  private readonly socket: Socket
  private readonly decoder = new TelnetDecoder()
  private readonly options = new TelnetOptions()
  private readonly tail = new Tail()
  private readonly negotiated: { resolve?: () => void } = {}
  private heardTelnet = false
  private spoke: (() => void) | undefined
  private crPending = false
  private endedByUs = false
  readonly negotiationTimeoutMs: number

  constructor(socket: Socket, negotiationTimeoutMs = DEFAULT_NEGOTIATION_TIMEOUT_MS) {
    super()
    this.socket = socket
    this.negotiationTimeoutMs = negotiationTimeoutMs
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('close', () => {
      if (this.endedByUs || this.destroyed) return
      this.push(null)
      this.destroy()
    })
    socket.on('error', (e) => this.destroy(e))
    // Until a link listens, an error (ser2net closing while we answer its negotiation: EPIPE) must
    // not throw from an event: start() reports it, and the link's own listener later ones.
    this.on('error', () => {})
  }

  /**
   * Waits for the server to open the negotiation, as a telnet server does on connect (ser2net offers
   * BINARY, SGA and ECHO at once), then asks for what it did not offer and waits for the answers to
   * BINARY. Nothing is sent before the server has spoken telnet: on a raw TCP port our requests would
   * reach the device as bytes (and come back in its echo, looking like agreement).
   */
  async start(): Promise<void> {
    const deadline = Date.now() + this.negotiationTimeoutMs
    const within = (what: Promise<void>) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))
        timer.unref()
        void what.then(() => {
          clearTimeout(timer)
          resolve(true)
        })
      })
    const spoke = this.heardTelnet || this.destroyed ? true : await within(new Promise<void>((resolve) => (this.spoke = resolve)))
    this.failIfRefused()
    if (!spoke) {
      throw new TelnetError(`the server sent no telnet negotiation within ${this.negotiationTimeoutMs} ms (a telnet server offers its options on connect; a raw TCP port says nothing: use tcp://)`)
    }
    const settled = new Promise<void>((resolve) => (this.negotiated.resolve = resolve))
    const request = this.options.request()
    if (request.length > 0 && !this.socket.destroyed) this.socket.write(Buffer.concat(request))
    this.checkSettled()
    const ok = await within(settled)
    this.failIfRefused()
    if (!ok) throw new TelnetError(`the server did not answer the telnet BINARY request within ${this.negotiationTimeoutMs} ms`)
  }

  /** ser2net answers a port it will not serve with its negotiation, one line and a close, all at once. */
  private failIfRefused(): void {
    const refused = serverRefusal(this.tail.get())
    if (refused) throw new TelnetError(refused)
    if (this.destroyed) throw this.errored ?? new TelnetError('the server closed the connection during the telnet negotiation')
  }

  /** Whether data goes as 8-bit bytes each way (BINARY agreed), or with the NVT's CR rule. */
  get binary(): { out: boolean; in: boolean } {
    return { out: this.options.binaryOut, in: this.options.binaryIn }
  }

  private receive(chunk: Uint8Array): void {
    for (const event of this.decoder.push(chunk)) this.handle(event)
  }

  private handle(event: TelnetEvent): void {
    switch (event.kind) {
      case 'data': {
        const bytes = this.options.binaryIn ? event.bytes : this.fromNvt(event.bytes)
        this.tail.push(bytes)
        if (bytes.length > 0) this.push(Buffer.from(bytes))
        return
      }
      case 'negotiation': {
        this.heardTelnet = true
        this.spoke?.()
        this.spoke = undefined
        const answer = this.options.receive(event.verb, event.option)
        if (answer && !this.socket.destroyed) this.socket.write(answer)
        this.checkSettled()
        return
      }
      // Subnegotiations of options we refused, and commands (NOP, AYT, GA): nothing to answer.
      case 'subnegotiation':
      case 'command':
        return
    }
  }

  private checkSettled(): void {
    if (!this.options.pending(OPTION_BINARY)) {
      this.negotiated.resolve?.()
      this.negotiated.resolve = undefined
    }
  }

  /** CR NUL is CR; a CR at the end of a chunk waits for the next one's first byte. */
  private fromNvt(bytes: Uint8Array): Uint8Array {
    const out: number[] = []
    for (const b of bytes) {
      if (this.crPending && b === NUL) {
        this.crPending = false
        continue
      }
      this.crPending = b === CR
      out.push(b)
    }
    return Uint8Array.from(out)
  }

  private static toNvt(bytes: Uint8Array): Uint8Array {
    const out: number[] = []
    for (let i = 0; i < bytes.length; i++) {
      out.push(bytes[i]!)
      if (bytes[i] === CR && bytes[i + 1] !== LF) out.push(NUL)
    }
    return Uint8Array.from(out)
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(escapeData(this.options.binaryOut ? chunk : TelnetClient.toNvt(chunk)), callback)
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.endedByUs = true
    this.socket.end(callback)
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.endedByUs = true
    this.negotiated.resolve?.()
    this.negotiated.resolve = undefined
    this.spoke?.()
    this.spoke = undefined
    this.socket.destroy()
    callback(error)
  }
}
