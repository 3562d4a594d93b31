import { Args, AtError, ErrCode, errCodeLine } from './at-error.ts'
import { DeviceClock } from './clock.ts'
import { parseCommandLine, parseParams } from './command-line.ts'
import { COMMANDS } from './commands/index.ts'
import { Flash } from './flash.ts'
import { Pki } from './pki.ts'
import type { DeviceProfile } from './profile.ts'
import { DEFAULT_PROFILE } from './profile.ts'
import { SeededRandom } from './random.ts'
import type { DeviceRuntime } from './runtime.ts'
import { Sntp } from './sntp.ts'
import { DeviceState } from './state.ts'
import { Station } from './station.ts'
import { Wire } from './wire.ts'

/**
 * What a handler answers; the engine prints the matching final result (reference §2.4) with its
 * leading CR LF, or `raw` as it is (`+MQTTPUB:OK\r\n`), and only then takes input again.
 */
export type FinalResult = 'OK' | 'SEND OK' | 'SEND FAIL' | 'SEND Canceled' | 'SET OK' | 'ERROR' | 'none' | { raw: string }

export type Handler = (ctx: CommandContext, args: Args) => FinalResult | Promise<FinalResult>

/** One command: its handlers by form (a form without a handler answers a plain ERROR). */
export interface CommandSpec {
  test?: Handler
  query?: Handler
  set?: Handler
  execute?: Handler
  /** Range errors answer a plain ERROR, without ERR CODE (the WebSocket commands, reference §7). */
  plainRangeErrors?: boolean
}

/** What a handler gets: the current boot, plus the device and the data phase after `>`. */
export interface CommandContext extends DeviceRuntime {
  readonly device: SimulatedDevice
  /** Prints the prompt, then resolves with exactly `length` payload bytes (no echo, no timeout). */
  readPayload(length: number): Promise<Uint8Array>
  /**
   * The data phase with a reader of the command's own (CIPSENDEX ends at `\0`); with `cancellable`,
   * an input chunk that is exactly `+++` cancels it (CIPSEND, reference §4 LENGTH-DATA): undefined.
   */
  readData(reader: PayloadReader, options?: { cancellable?: boolean }): Promise<Uint8Array | undefined>
  /**
   * Once this command has ended (its handler returns 'none' after printing the prompt), the UART
   * is in passthrough: every chunk goes to `sink` as it is, until a `+++` with the guard times.
   */
  enterPassthrough(sink: PassthroughSink): void
}

/** Collects a data phase's bytes, chunk by chunk. */
export interface PayloadReader {
  /** Takes what it needs from the start of `chunk`: how many bytes it took, and whether it has all it needs. */
  take(chunk: Buffer): { used: number; done: boolean }
  /** The payload, once done. */
  result(): Uint8Array
  /** How many bytes it took in all, when that differs from the announced length (CIPSENDEX's `\0`). */
  received?(): number
}

/** Where the UART's input goes in passthrough mode (AT+CIPMODE=1, AT+CIPSEND). */
export interface PassthroughSink {
  /** Raw input bytes, in order (no echo, no parsing). */
  data(chunk: Buffer): void
  /** `+++` was recognised: the UART is back in command mode. */
  exit(): void
}

/** `+++` counts only with this much silence before and after it (TCP-IP_AT_Commands ~L544). */
export const ESCAPE_GUARD_MS = 20
const ESCAPE = Buffer.from('+++')

const CRLF = Buffer.from('\r\n')
const AT_RST = Buffer.from('AT+RST\r\n')
const MAX_LINE = 256

const enum Mode {
  Idle,
  Processing,
  Data,
  Passthrough,
  Off,
}

export interface DeviceOptions {
  profile?: DeviceProfile
  /** The host's clock in ms (tests pass a fixed one so that times print the same on every run). */
  hostClock?: () => number
}

/**
 * An ESP-AT device on the other end of a UART: the receive state machine of reference §4 with
 * echo, `busy p...`, the data phase after `>`, and command handlers that print exactly what the
 * firmware prints. Bytes in through `receive`, bytes out through the `onOutput` listeners; both
 * pass through a Wire, where the profile's line faults act.
 */
export class SimulatedDevice {
  /** Exceptions thrown by command handlers (simulator bugs), answered with ERROR. */
  readonly internalErrors: Error[] = []
  readonly profile: DeviceProfile
  readonly clock: DeviceClock
  readonly flash = new Flash()
  readonly pki: Pki
  readonly random: SeededRandom
  private runtime: BootRuntime | undefined
  private mode = Mode.Off
  private buffer: Buffer = Buffer.alloc(0)
  private payload: { reader: PayloadReader; cancellable: boolean; resolve: (b: Uint8Array | undefined) => void } | undefined
  /** Set by a handler that enters passthrough; the mode becomes Passthrough when the command ends. */
  private nextPassthrough: PassthroughSink | undefined
  private passthrough: { sink: PassthroughSink; escapeTimer?: NodeJS.Timeout } | undefined
  /** When the last input chunk arrived (host ms), for the `+++` guard time. */
  private lastInputAt = 0
  private readonly held: HeldUrcs
  private readonly outputs: ((bytes: Uint8Array) => void)[] = []
  private readonly commands: ReadonlyMap<string, CommandSpec> = new Map(COMMANDS)
  private readonly tx: Wire
  private readonly rx: Wire
  /** Commands received since power-on (for the reboot fault). */
  private commandCount = 0
  /** Increases on every power-off, so that a reset in progress does not boot a device switched off meanwhile. */
  private power = 0
  private bootTimer: NodeJS.Timeout | undefined
  /** The chip-enable pin: low holds the chip in reset. */
  private enabled = true

  constructor(options: DeviceOptions = {}) {
    this.profile = options.profile ?? DEFAULT_PROFILE
    this.clock = new DeviceClock(options.hostClock)
    this.pki = new Pki(this.profile.pki)
    this.random = new SeededRandom(this.profile.faults.seed)
    const { splitWrites, baudRate } = this.profile.faults
    this.tx = new Wire((bytes) => this.outputs.forEach((listener) => listener(bytes)), { ...(splitWrites ? { splitWrites } : {}), ...(baudRate ? { baudRate } : {}) }, this.random)
    this.rx = new Wire((bytes) => this.input(bytes), baudRate ? { baudRate } : {}, this.random)
    this.held = new HeldUrcs(this.profile.faults.interleaveUrcs?.holdMs, (bytes) => this.print(bytes))
  }

  /** Whether the UART is in passthrough (raw data to a link), for the links' receive side. */
  get inPassthrough(): boolean {
    return this.mode === Mode.Passthrough
  }

  /** The current boot's state. */
  get state(): DeviceState {
    return this.current().state
  }

  /** Commands in AT+CMD? order. */
  commandNames(): [string, CommandSpec][] {
    return [...this.commands]
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
    this.power++
    clearTimeout(this.bootTimer)
    const runtime = this.runtime
    this.endBoot()
    this.tx.clear()
    this.rx.clear()
    await runtime?.state.shutdown()
  }

  /**
   * A reset (AT+RST, AT+RESTORE, a watchdog): connections dropped without a word, settings that
   * are not in flash lost, then `ready` after the profile's boot time.
   */
  async restart(): Promise<void> {
    const power = this.power
    const runtime = this.runtime
    this.endBoot()
    await runtime?.state.shutdown()
    if (power !== this.power) return
    clearTimeout(this.bootTimer)
    this.bootTimer = setTimeout(() => {
      if (power === this.power) this.boot()
    }, this.profile.bootTimeMs)
  }

  /**
   * The EN and GPIO0 pins, as a USB-serial board's auto-reset circuit drives them from DTR/RTS.
   * EN low holds the chip in reset (silent, connections gone); EN going high is a power-on reset:
   * the RTC clock starts again from 0 and the chip boots, printing `ready`, unless GPIO0 is held
   * low, which starts the ROM download mode instead (nothing on the AT port).
   */
  setPins(pins: { en: boolean; gpio0: boolean }): void {
    if (!pins.en && this.enabled) {
      this.enabled = false
      void this.close()
    } else if (pins.en && !this.enabled) {
      this.enabled = true
      if (!pins.gpio0) return
      const power = this.power
      this.bootTimer = setTimeout(() => {
        if (power !== this.power) return
        this.clock.set(0)
        this.boot()
      }, this.profile.bootTimeMs)
    }
  }

  print(bytes: string | Uint8Array): void {
    if (this.mode === Mode.Off) return
    this.tx.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes)
  }

  /**
   * An unsolicited message, one write. With the interleaveUrcs fault it may be held a while and
   * come out inside the next echo or prompt (esp-at issues #22, #410), never later than the hold.
   */
  urc(bytes: string | Uint8Array): void {
    if (this.mode === Mode.Off) return
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes)
    if (!this.held.hold(data)) this.print(data)
  }

  /**
   * A length-framed record (`+IPD`, `+MQTTSUBRECV`, `+HTTPCLIENT`...): one write, as the firmware
   * builds it in one buffer; the splitRecords fault cuts it into header, data halves and trailer
   * with a pause between them.
   */
  record(pieces: readonly Uint8Array[], options: { unsolicited?: boolean } = {}): void {
    if (this.mode === Mode.Off) return
    const gap = this.profile.faults.splitRecords?.gapMs
    const parts = pieces.map((p) => Buffer.from(p)).filter((p) => p.length > 0)
    if (gap === undefined) {
      const whole = Buffer.concat(parts)
      if (options.unsolicited) this.urc(whole)
      else this.print(whole)
      return
    }
    this.held.flush()
    const cut = parts.flatMap((p, i) => (i === 1 && p.length > 1 ? [p.subarray(0, p.length >> 1), p.subarray(p.length >> 1)] : [p]))
    this.tx.writeSpaced(cut, gap)
  }

  /** Bytes from the host, one UART read's worth. */
  receive(chunk: Uint8Array): void {
    this.rx.write(chunk)
  }

  private current(): BootRuntime {
    if (!this.runtime) throw new Error('the device is not powered on')
    return this.runtime
  }

  private boot(): void {
    this.runtime = new BootRuntime(this)
    this.buffer = Buffer.alloc(0)
    this.payload = undefined
    this.endPassthrough()
    this.mode = Mode.Idle
    const garbage = this.profile.faults.bootGarbageBytes
    if (garbage) this.print(this.random.bytes(garbage))
    this.print('\r\nready\r\n')
    const { flash } = this
    if (flash.station && flash.autoConnect && (flash.wifiMode === 1 || flash.wifiMode === 3)) this.runtime.state.station.autoConnect(flash.station)
  }

  private endBoot(): void {
    this.mode = Mode.Off
    this.runtime?.end()
    this.payload = undefined
    this.endPassthrough()
    this.held.clear()
  }

  private input(chunk: Buffer): void {
    const quietMs = Date.now() - this.lastInputAt
    this.lastInputAt = Date.now()
    switch (this.mode) {
      case Mode.Off:
        return
      case Mode.Data:
        this.receivePayload(chunk)
        return
      case Mode.Processing:
        this.busy(chunk)
        return
      case Mode.Passthrough:
        this.passthroughInput(chunk, quietMs)
        return
      case Mode.Idle:
        if (this.state.echo) this.echo(chunk)
        this.buffer = Buffer.concat([this.buffer, chunk])
        this.processBuffer()
    }
  }

  /** The echo of a chunk; URCs held by the interleaveUrcs fault come out in its middle. */
  private echo(chunk: Buffer): void {
    if (!this.held.pending || chunk.length < 2) {
      this.print(chunk)
      return
    }
    const half = chunk.length >> 1
    this.print(chunk.subarray(0, half))
    this.held.flush()
    this.print(chunk.subarray(half))
  }

  /**
   * Passthrough input: raw bytes for the link, except a chunk that is exactly `+++` with no input
   * in the 20 ms before it and none in the 20 ms after it, which ends passthrough (reference
   * notes §3.13: the firmware compares one received chunk with "+++").
   */
  private passthroughInput(chunk: Buffer, quietMs: number): void {
    const p = this.passthrough!
    if (p.escapeTimer) {
      // More input within the guard time: the `+++` was data after all.
      clearTimeout(p.escapeTimer)
      p.escapeTimer = undefined
      p.sink.data(Buffer.from(ESCAPE))
    }
    if (chunk.equals(ESCAPE) && quietMs >= ESCAPE_GUARD_MS) {
      p.escapeTimer = setTimeout(() => {
        if (this.passthrough !== p) return
        this.endPassthrough()
        this.mode = Mode.Idle
        p.sink.exit()
        if (this.buffer.length > 0) queueMicrotask(() => this.processBuffer())
      }, ESCAPE_GUARD_MS)
      return
    }
    p.sink.data(chunk)
  }

  private endPassthrough(): void {
    if (this.passthrough?.escapeTimer) clearTimeout(this.passthrough.escapeTimer)
    this.passthrough = undefined
    this.nextPassthrough = undefined
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
    if (p.cancellable && chunk.equals(ESCAPE)) {
      this.payload = undefined
      this.mode = Mode.Processing
      p.resolve(undefined)
      return
    }
    const { used, done } = p.reader.take(chunk)
    if (!done) return
    this.payload = undefined
    this.mode = Mode.Processing
    // Bytes beyond the announced length reach the engine while the command still runs.
    if (used < chunk.length) this.busy(chunk.subarray(used))
    p.resolve(p.reader.result())
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
      this.commandCount++
      if (this.commandCount === this.profile.faults.rebootAfterCommands) {
        // The fault: the chip resets on this command, as its watchdog would; no answer, then `ready`.
        void this.restart()
        return
      }
      this.mode = Mode.Processing
      if (this.buffer.length > 0) {
        // What came after the line's CR LF reaches the engine while the command runs: no pipelining
        // (reference §2.1, §2.5, §4: payload sent before the prompt is lost this way).
        const rest = this.buffer
        this.buffer = Buffer.alloc(0)
        this.busy(rest)
        if ((this.mode as Mode) === Mode.Off) return // it held AT+RST\r\n
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
    const runtime = this.current()
    let result: FinalResult
    let code: number | undefined
    try {
      const latency = this.profile.faults.commandLatencyMs
      if (latency) await runtime.sleep(latency)
      const args = new Args(parsed.form === 'set' ? parseParams(parsed.args) : [], { rangeCodes: !spec.plainRangeErrors })
      result = await handler(runtime, args)
    } catch (e) {
      if (!runtime.alive) return // restarted or powered off meanwhile: nothing more to say
      if (e instanceof AtError) {
        for (const l of e.lines) this.print(`${l}\r\n`)
        code = e.code
      } else {
        // A bug in a handler: the device answers ERROR and lives on, and the bug is kept for tests
        // and `sim` to show, rather than an unhandled rejection ending the runner mid-scenario.
        this.internalErrors.push(e as Error)
      }
      result = 'ERROR'
    }
    if (!runtime.alive) return
    this.finish(result, code)
  }

  private finish(result: FinalResult, code?: number): void {
    // Held URCs never overtake the result they came before (a CONNECT stays before its OK).
    this.held.flush()
    if (result === 'ERROR' && code !== undefined && this.state.syslog) this.print(errCodeLine(code))
    if (typeof result === 'object') this.print(result.raw)
    else if (result !== 'none') this.print(`\r\n${result}\r\n`)
    if (this.mode === Mode.Off) return
    const sink = this.nextPassthrough
    this.nextPassthrough = undefined
    if (sink && result === 'none') {
      this.passthrough = { sink }
      this.mode = Mode.Passthrough
      return
    }
    this.mode = Mode.Idle
    if (this.buffer.length > 0) queueMicrotask(() => this.processBuffer())
  }

  /** The data phase of a command (reference §5): prompt, then exactly `length` bytes, however long they take. */
  async readPayload(length: number): Promise<Uint8Array> {
    return (await this.readData(fixedLength(length)))!
  }

  /** The data phase with any reader; `cancellable`: a lone `+++` chunk ends it with undefined. */
  readData(reader: PayloadReader, options: { cancellable?: boolean } = {}): Promise<Uint8Array | undefined> {
    return new Promise<Uint8Array | undefined>((resolve) => {
      this.prompt()
      this.payload = { reader, cancellable: options.cancellable === true, resolve }
      this.mode = Mode.Data
    })
  }

  /** `\r\nOK\r\n\r\n>`; URCs held by the interleaveUrcs fault come out between the OK and the `>`. */
  prompt(): void {
    if (!this.held.pending) {
      this.print('\r\nOK\r\n\r\n>')
      return
    }
    this.print('\r\nOK\r\n')
    this.held.flush()
    this.print('\r\n>')
  }

  /** See CommandContext.enterPassthrough. */
  enterPassthrough(sink: PassthroughSink): void {
    this.nextPassthrough = sink
  }
}

/** Exactly `length` bytes. */
export function fixedLength(length: number): PayloadReader {
  const parts: Buffer[] = []
  let got = 0
  return {
    take(chunk) {
      const used = Math.min(length - got, chunk.length)
      parts.push(chunk.subarray(0, used))
      got += used
      return { used, done: got >= length }
    },
    result: () => Buffer.concat(parts),
  }
}

/**
 * URCs held back by the interleaveUrcs fault, released inside the next echo or prompt, before the
 * next final result, or when the hold time is up, whichever comes first; each stays one write.
 */
class HeldUrcs {
  private queue: Buffer[] = []
  private timer: NodeJS.Timeout | undefined
  private readonly holdMs: number | undefined
  private readonly out: (bytes: Buffer) => void

  constructor(holdMs: number | undefined, out: (bytes: Buffer) => void) {
    this.holdMs = holdMs
    this.out = out
  }

  get pending(): boolean {
    return this.queue.length > 0
  }

  /** false when the fault is off: print it now. */
  hold(urc: Buffer): boolean {
    if (this.holdMs === undefined) return false
    this.queue.push(urc)
    this.timer ??= setTimeout(() => this.flush(), this.holdMs)
    return true
  }

  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const queue = this.queue
    this.queue = []
    for (const urc of queue) this.out(urc)
  }

  clear(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.queue = []
  }
}

/** One boot of the device: its state, and output and timers that end with it. Handlers get it as their context. */
class BootRuntime implements CommandContext {
  readonly state: DeviceState
  readonly device: SimulatedDevice
  private readonly life = new AbortController()

  constructor(device: SimulatedDevice) {
    this.device = device
    const station = new Station(this, {
      gotIp: () => this.state.sntp.onGotIp(),
      // The network under the links is gone: each WebSocket fails as a transport would, then tries
      // to reconnect; sockets are closed (AT+CIPCONNPERSIST's default) unless the SoftAP is still up.
      lost: () => {
        this.state.links.forEach((link) => link?.dropTransport())
        this.state.mqtt.dropTransport()
        if (!this.state.hasNetwork) this.state.ip.openLinks().forEach((link) => link.close('peer'))
      },
    })
    this.state = new DeviceState(device.flash, station, new Sntp(this), device.profile.mac)
  }

  get profile(): DeviceProfile {
    return this.device.profile
  }
  get clock(): DeviceClock {
    return this.device.clock
  }
  get flash(): Flash {
    return this.device.flash
  }
  get pki(): Pki {
    return this.device.pki
  }
  get random(): SeededRandom {
    return this.device.random
  }
  get alive(): boolean {
    return !this.life.signal.aborted
  }

  get signal(): AbortSignal {
    return this.life.signal
  }

  end(): void {
    this.life.abort()
  }

  readPayload(length: number): Promise<Uint8Array> {
    return this.device.readPayload(length)
  }

  readData(reader: PayloadReader, options?: { cancellable?: boolean }): Promise<Uint8Array | undefined> {
    return this.device.readData(reader, options)
  }

  enterPassthrough(sink: PassthroughSink): void {
    this.device.enterPassthrough(sink)
  }

  get inPassthrough(): boolean {
    return this.device.inPassthrough
  }

  print(bytes: string | Uint8Array): void {
    if (this.alive) this.device.print(bytes)
  }

  line(text: string): void {
    this.print(`${text}\r\n`)
  }

  urc(text: string, options: { status?: boolean } = {}): void {
    if (!this.alive) return
    // Status messages are kept quiet in passthrough unless AT+SYSMSG bit2 asks for them.
    if (options.status && this.device.inPassthrough && (this.state.sysmsg & 4) === 0) return
    this.device.urc(`${text}\r\n`)
  }

  record(pieces: readonly Uint8Array[], options?: { unsolicited?: boolean }): void {
    if (this.alive) this.device.record(pieces, options)
  }

  sleep(ms: number): Promise<void> {
    const signal = this.life.signal
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error)
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = () => {
        clearTimeout(timer)
        reject(signal.reason as Error)
      }
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  after(ms: number, fn: () => void): () => void {
    const signal = this.life.signal
    if (signal.aborted) return () => undefined
    const cancel = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', cancel)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', cancel)
      if (!signal.aborted) fn()
    }, ms)
    signal.addEventListener('abort', cancel, { once: true })
    return cancel
  }
}
