import { AtError, ErrCode, Args } from './at-error.ts'
import { parseCommandLine, parseParams } from './command-line.ts'
import type { CommandForm } from './command-line.ts'
import { basicCommands } from './commands/basic.ts'
import { websocketCommands } from './commands/websocket.ts'
import { wifiCommands } from './commands/wifi.ts'
import type { DeviceProfile } from './profile.ts'
import { DEFAULT_PROFILE } from './profile.ts'
import { DeviceState } from './state.ts'

/** What a handler answers; the engine prints the matching final result (reference §2.4). */
export type FinalResult = 'OK' | 'SEND OK' | 'ERROR' | 'none'

export type Handler = (ctx: CommandContext, args: Args) => FinalResult | Promise<FinalResult>

/** One command's handlers by form; a form without a handler answers ERROR. */
export type CommandSpec = Partial<Record<CommandForm, Handler>>

export interface CommandContext {
  readonly device: SimulatedDevice
  readonly state: DeviceState
  readonly profile: DeviceProfile
  /** Writes bytes to the host as they are. */
  print(bytes: string | Uint8Array): void
  /** Writes a line and its CR LF (information lines and URCs have no leading CR LF). */
  line(text: string): void
  /** Prints the prompt, then resolves with exactly `length` payload bytes (no echo, no timeout). */
  readPayload(length: number): Promise<Uint8Array>
  /** A delay that ends early (rejects) when the device is powered off or restarts. */
  sleep(ms: number): Promise<void>
}

const CRLF = Buffer.from('\r\n')
const AT_RST = Buffer.from('AT+RST\r\n')
const MAX_LINE = 256

const enum Mode {
  Idle,
  Processing,
  Data,
  Off,
}

export interface DeviceOptions {
  profile?: DeviceProfile
}

/**
 * An ESP-AT device on the other end of a UART: the receive state machine of reference §4 with
 * echo, `busy p...`, the data phase after `>`, and command handlers that print exactly what the
 * firmware prints. Bytes in through `receive`, bytes out through the `onOutput` listener.
 */
export class SimulatedDevice {
  readonly profile: DeviceProfile
  state: DeviceState
  private mode = Mode.Off
  private buffer: Buffer = Buffer.alloc(0)
  private payload: { length: number; parts: Buffer[]; got: number; resolve: (b: Uint8Array) => void } | undefined
  private readonly outputs: ((bytes: Uint8Array) => void)[] = []
  private readonly commands = new Map<string, CommandSpec>(
    Object.entries({ ...basicCommands, ...wifiCommands, ...websocketCommands }),
  )
  /** Aborted on power-off and restart: ends sleeps and running handlers. */
  private life = new AbortController()

  constructor(options: DeviceOptions = {}) {
    this.profile = options.profile ?? DEFAULT_PROFILE
    this.state = new DeviceState(this)
  }

  onOutput(listener: (bytes: Uint8Array) => void): void {
    this.outputs.push(listener)
  }

  /** Power on: the firmware starts and prints `ready`. */
  start(): void {
    this.boot()
  }

  /** Power off: links closed, timers stopped, nothing more is printed. */
  async close(): Promise<void> {
    this.mode = Mode.Off
    this.life.abort()
    await this.state.shutdown()
  }

  /** Restarts as AT+RST does: links dropped, settings that are not stored reset, then `ready`. */
  async restart(): Promise<void> {
    this.life.abort()
    await this.state.shutdown()
    this.boot()
  }

  private boot(): void {
    this.life = new AbortController()
    this.state = new DeviceState(this)
    this.buffer = Buffer.alloc(0)
    this.payload = undefined
    this.mode = Mode.Idle
    this.print('\r\nready\r\n')
  }

  print(bytes: string | Uint8Array): void {
    if (this.mode === Mode.Off) return
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes
    for (const listener of this.outputs) listener(data)
  }

  /** Bytes from the host, one UART read's worth. */
  receive(chunk: Uint8Array): void {
    const bytes = Buffer.from(chunk)
    switch (this.mode) {
      case Mode.Off:
        return
      case Mode.Data:
        this.receivePayload(bytes)
        return
      case Mode.Processing:
        this.busy(bytes)
        return
      case Mode.Idle:
        if (this.state.echo) this.print(bytes)
        this.buffer = Buffer.concat([this.buffer, bytes])
        this.processBuffer()
    }
  }

  /** Input while a command runs: rejected per chunk; `AT+RST\r\n` anywhere in it forces a restart. */
  private busy(chunk: Buffer): void {
    if (chunk.includes(AT_RST)) {
      this.print('\r\nWill force to restart!!!\r\n')
      this.print('\r\nOK\r\n')
      void this.restart()
      return
    }
    if (this.state.syslog) this.print(errCodeLine(ErrCode.processing))
    this.print('\r\nbusy p...\r\n')
  }

  private receivePayload(chunk: Buffer): void {
    const p = this.payload!
    const take = Math.min(p.length - p.got, chunk.length)
    p.parts.push(chunk.subarray(0, take))
    p.got += take
    if (p.got < p.length) return
    this.payload = undefined
    this.mode = Mode.Processing
    // Bytes beyond the announced length reach the engine while the command still runs.
    if (take < chunk.length) this.busy(chunk.subarray(take))
    p.resolve(Buffer.concat(p.parts))
  }

  private processBuffer(): void {
    while (this.mode === Mode.Idle) {
      const nul = this.buffer.lastIndexOf(0)
      if (nul >= 0) this.buffer = this.buffer.subarray(nul + 1)
      const end = this.buffer.indexOf(CRLF)
      if (end < 0) {
        if (this.buffer.length >= MAX_LINE) {
          // Dropped without a word; a trailing CR is kept so that a CR LF split across reads works.
          this.buffer = this.buffer[this.buffer.length - 1] === 0x0d ? Buffer.from([0x0d]) : Buffer.alloc(0)
        }
        return
      }
      const line = this.buffer.subarray(0, end)
      this.buffer = this.buffer.subarray(end + 2)
      if (line.length + 2 > MAX_LINE) {
        this.finish('ERROR', ErrCode.noAt)
        continue
      }
      void this.dispatch(line.toString('latin1'))
    }
  }

  private async dispatch(text: string): Promise<void> {
    const parsed = parseCommandLine(text)
    if (!parsed) {
      this.finish('ERROR', ErrCode.noAt)
      return
    }
    const spec = this.commands.get(parsed.name)
    if (!spec) {
      this.finish('ERROR', ErrCode.unsupported)
      return
    }
    const handler = spec[parsed.form]
    if (!handler) {
      this.finish('ERROR')
      return
    }
    this.mode = Mode.Processing
    const life = this.life
    let result: FinalResult
    let code: number | undefined
    try {
      result = await handler(this.context(), new Args(parsed.form === 'set' ? parseParams(parsed.args) : []))
    } catch (e) {
      if (life.signal.aborted) return // restarted or powered off meanwhile: nothing more to say
      if (!(e instanceof AtError)) throw e
      for (const l of e.lines) this.print(`${l}\r\n`)
      result = 'ERROR'
      code = e.code
    }
    if (life.signal.aborted) return
    this.finish(result, code)
  }

  private finish(result: FinalResult, code?: number): void {
    if (result === 'ERROR' && code !== undefined && this.state.syslog) this.print(errCodeLine(code))
    if (result !== 'none') this.print(`\r\n${result}\r\n`)
    if (this.mode === Mode.Off) return
    this.mode = Mode.Idle
    if (this.buffer.length > 0) queueMicrotask(() => this.processBuffer())
  }

  private context(): CommandContext {
    return {
      device: this,
      state: this.state,
      profile: this.profile,
      print: (bytes) => this.print(bytes),
      line: (text) => this.print(`${text}\r\n`),
      readPayload: (length) =>
        new Promise<Uint8Array>((resolve) => {
          this.print('\r\nOK\r\n\r\n>')
          this.payload = { length, parts: [], got: 0, resolve }
          this.mode = Mode.Data
        }),
      sleep: (ms) => sleep(ms, this.life.signal),
    }
  }
}

function errCodeLine(code: number): string {
  return `ERR CODE:0x${code.toString(16).padStart(8, '0')}\r\n`
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(resolve, ms)
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason)
      },
      { once: true },
    )
  })
}
