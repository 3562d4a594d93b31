import { Duplex } from 'node:stream'
import type { Socket } from 'node:net'
import {
  DO, DONT, escapeData, negotiation, OPTION_BINARY, OPTION_COM_PORT, OPTION_SGA, subnegotiation, TelnetDecoder, WILL, WONT,
} from './telnet-codec.ts'
import type { TelnetEvent } from './telnet-codec.ts'

/** RFC 2217 COM-PORT-OPTION commands, client to server; the server answers with the code + 100. */
export const ComPort = {
  signature: 0,
  setBaudRate: 1,
  setDataSize: 2,
  setParity: 3,
  setStopSize: 4,
  setControl: 5,
  purgeData: 12,
} as const

export const Parity = { none: 1, odd: 2, even: 3, mark: 4, space: 5 } as const
/** SET-CONTROL values. */
export const Control = { noFlow: 1, xonXoff: 2, hardware: 3, dtrOn: 8, dtrOff: 9, rtsOn: 11, rtsOff: 12 } as const

export interface SerialSettings {
  baudRate: number
  dataBits: 5 | 6 | 7 | 8
  parity: keyof typeof Parity
  stopBits: 1 | 1.5 | 2
  flow: 'none' | 'rtscts'
}

export class Rfc2217Error extends Error {}

const DEFAULT_REQUEST_TIMEOUT_MS = 2000

/**
 * An RFC 2217 client over a connected socket: a byte Duplex for the serial data, and requests
 * that set the remote port's line settings and control lines. Every request times out: a server
 * that never answers (ser2net does not answer DTR/RTS requests for a pseudo-terminal) cannot hang
 * the run.
 */
export class Rfc2217Client extends Duplex {
  private readonly socket: Socket
  private readonly decoder = new TelnetDecoder()
  private readonly waiting = new Map<number, { resolve: (payload: Uint8Array) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[]>()
  private comPortAccepted: ((accepted: boolean) => void) | undefined
  private comPort: boolean | undefined
  readonly requestTimeoutMs: number

  constructor(socket: Socket, requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS) {
    super()
    this.socket = socket
    this.requestTimeoutMs = requestTimeoutMs
    socket.on('data', (chunk: Buffer) => {
      for (const event of this.decoder.push(chunk)) this.handle(event)
    })
    socket.on('close', () => {
      this.push(null)
      this.destroy()
    })
    socket.on('error', (e) => this.destroy(e))
  }

  /** Negotiates the COM-PORT option (and binary, no go-ahead), then applies the line settings. */
  async start(settings: SerialSettings): Promise<void> {
    const accepted = new Promise<boolean>((resolve) => {
      // The server may have offered it before we asked (ser2net sends DO COM-PORT on connect).
      if (this.comPort !== undefined) return resolve(this.comPort)
      this.comPortAccepted = resolve
      setTimeout(() => resolve(false), this.requestTimeoutMs).unref()
    })
    this.socket.write(
      Buffer.concat([
        negotiation(WILL, OPTION_COM_PORT),
        negotiation(WILL, OPTION_BINARY),
        negotiation(DO, OPTION_BINARY),
        negotiation(WILL, OPTION_SGA),
        negotiation(DO, OPTION_SGA),
      ]),
    )
    const ok = await accepted
    if (this.destroyed) throw new Rfc2217Error('the server closed the connection during the negotiation')
    if (!ok) throw new Rfc2217Error('the server did not accept the RFC 2217 COM-PORT option (is it a raw TCP port? use tcp://)')
    await this.setBaudRate(settings.baudRate)
    await this.request(ComPort.setDataSize, Uint8Array.of(settings.dataBits), 'data size')
    await this.request(ComPort.setParity, Uint8Array.of(Parity[settings.parity]), 'parity')
    await this.request(ComPort.setStopSize, Uint8Array.of(settings.stopBits === 1 ? 1 : settings.stopBits === 2 ? 2 : 3), 'stop bits')
    await this.request(ComPort.setControl, Uint8Array.of(settings.flow === 'rtscts' ? Control.hardware : Control.noFlow), 'flow control')
  }

  /** Sets the baud rate and returns the rate the server reports. */
  async setBaudRate(baudRate: number): Promise<number> {
    const value = new Uint8Array(4)
    new DataView(value.buffer).setUint32(0, baudRate)
    const answer = await this.request(ComPort.setBaudRate, value, 'baud rate')
    return answer.length >= 4 ? new DataView(answer.buffer, answer.byteOffset).getUint32(0) : baudRate
  }

  /** Drives DTR and RTS (for a hard reset). */
  async setLines(lines: { dtr?: boolean; rts?: boolean }): Promise<void> {
    if (lines.dtr !== undefined) await this.request(ComPort.setControl, Uint8Array.of(lines.dtr ? Control.dtrOn : Control.dtrOff), 'DTR')
    if (lines.rts !== undefined) await this.request(ComPort.setControl, Uint8Array.of(lines.rts ? Control.rtsOn : Control.rtsOff), 'RTS')
  }

  /** Sends one COM-PORT request and resolves with the payload of the server's answer. */
  request(command: number, value: Uint8Array, what: string): Promise<Uint8Array> {
    if (this.destroyed) return Promise.reject(new Rfc2217Error('the connection is closed'))
    if (!this.comPort) return Promise.reject(new Rfc2217Error('the COM-PORT option is not active'))
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(command + 100) ?? []
      const entry = {
        resolve,
        reject,
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(entry), 1)
          reject(new Rfc2217Error(`the server did not answer the ${what} request within ${this.requestTimeoutMs} ms`))
        }, this.requestTimeoutMs),
      }
      queue.push(entry)
      this.waiting.set(command + 100, queue)
      this.socket.write(subnegotiation(OPTION_COM_PORT, Uint8Array.of(command, ...value)))
    })
  }

  private handle(event: TelnetEvent): void {
    switch (event.kind) {
      case 'data':
        this.push(Buffer.from(event.bytes))
        return
      case 'negotiation':
        this.negotiate(event.verb, event.option)
        return
      case 'subnegotiation': {
        if (event.option !== OPTION_COM_PORT || event.payload.length === 0) return
        const [code, ...rest] = event.payload
        const entry = this.waiting.get(code!)?.shift()
        if (entry) {
          clearTimeout(entry.timer)
          entry.resolve(Uint8Array.from(rest))
        }
        // Unsolicited notifications (line and modem state) need no answer.
        return
      }
      case 'command':
        return
    }
  }

  /** Answers the server's negotiation: yes to the options a serial client wants, no to the rest. */
  private negotiate(verb: number, option: number): void {
    const wanted = option === OPTION_BINARY || option === OPTION_SGA || option === OPTION_COM_PORT
    if (option === OPTION_COM_PORT && (verb === DO || verb === DONT)) {
      this.comPort = verb === DO
      this.comPortAccepted?.(verb === DO)
      this.comPortAccepted = undefined
      return
    }
    // Confirmations of what we asked for need no answer; anything else gets a plain refusal.
    if (wanted) return
    if (verb === DO) this.socket.write(negotiation(WONT, option))
    else if (verb === WILL) this.socket.write(negotiation(DONT, option))
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(escapeData(chunk), callback)
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Requests still waiting get their answer now: the connection is gone, no answer will come.
    const gone = new Rfc2217Error(error ? `the connection closed: ${error.message}` : 'the connection closed')
    for (const queue of this.waiting.values()) {
      for (const e of queue) {
        clearTimeout(e.timer)
        e.reject(gone)
      }
    }
    this.waiting.clear()
    this.comPortAccepted?.(false)
    this.comPortAccepted = undefined
    this.socket.destroy()
    callback(error)
  }
}
