/**
 * The device-to-host byte stream of ESP-AT, cut into records. Pure and push-driven: bytes in,
 * records out, with no clock and no I/O, and the same records whatever the chunking of the input
 * (reference §2.4, §7.8, §12).
 */

export type FrameRecord =
  /** A line without its CR LF. Empty lines (the CR LF around results) are not reported. */
  | { kind: 'line'; text: string; truncated?: true }
  /** The line that echoes a command the host sent (ATE1, the firmware default). */
  | { kind: 'echo'; text: string }
  /** The `>` that ends `\r\nOK\r\n\r\n>`: the device waits for raw payload bytes. No newline follows it. */
  | { kind: 'prompt' }
  /**
   * `+WS_DATA:<link>,<len>,<bytes>`, read by length: the bytes may hold CR, LF and NUL. `offset`: where
   * the bytes start in the stream (bytes pushed since the framer was made).
   */
  | { kind: 'data'; link: number; bytes: Uint8Array; offset: number }

export interface FramerOptions {
  /**
   * A line with more bytes than this (not counting its CR LF) is reported truncated to this many
   * bytes and the rest of it skipped. Default: 64 KiB.
   */
  maxLineLength?: number
}

const LF = 0x0a
const CR = 0x0d
const PROMPT = 0x3e // '>'
const HEADER = Buffer.from('+WS_DATA:')
const MAX_NUMBER_DIGITS = 6

const enum State {
  LineStart,
  /** The line so far is a prefix of a `+WS_DATA:<link>,<len>,` header. */
  Header,
  Line,
  Data,
  /** After the data bytes: the CR LF the firmware appends, if it comes. */
  DataEndCr,
  DataEndLf,
  /** Skipping the rest of an over-long line. */
  Skip,
}

export class Framer {
  private state = State.LineStart
  /** The bytes of the record being read. Parts from `owned` on still point into the caller's chunk. */
  private parts: Buffer[] = []
  private owned = 0
  private length = 0
  private dataLink = 0
  private dataRemaining = 0
  /** Header parsing: which field (0 = literal, 1 = link, 2 = length) and its digits so far. */
  private headerField = 0
  private headerDigits = 0
  private headerLink = 0
  private headerLen = 0
  /** How many bytes of the literal `+WS_DATA:` have matched so far. */
  private headerPos = 0
  private readonly pendingEchoes: string[] = []
  /** Bytes pushed before the current chunk, and where the data being read starts in the stream. */
  private streamBase = 0
  private dataStart = 0
  /** Keeps a leading U+FEFF: a line's text is exactly its bytes. */
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true })
  private readonly maxLineLength: number

  constructor(options: FramerOptions = {}) {
    const max = options.maxLineLength ?? 64 * 1024
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`maxLineLength must be a positive integer, not ${max}`)
    this.maxLineLength = max
  }

  /**
   * Bytes held for a record not yet complete: at most maxLineLength for a line, the announced
   * length for a `+WS_DATA` payload. What a flood without newlines can cost.
   */
  get pendingBytes(): number {
    return this.length
  }

  /** Where the bytes of a length-framed record still being read start in the stream, if one is. */
  get openDataStart(): number | undefined {
    return this.state === State.Data ? this.dataStart : undefined
  }

  /**
   * Tells the framer that the host wrote this command line (without CR LF), so that its echo is
   * reported as `echo` and never mistaken for a response. Replaces any echo still pending.
   */
  expectEcho(command: string): void {
    this.pendingEchoes.length = 0
    this.pendingEchoes.push(command)
  }

  /** Stops expecting an echo (after ATE0 the device no longer echoes). */
  clearEcho(): void {
    this.pendingEchoes.length = 0
  }

  push(chunk: Uint8Array): FrameRecord[] {
    const out: FrameRecord[] = []
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let i = 0
    const n = buf.length
    while (i < n) {
      switch (this.state) {
        case State.LineStart: {
          const b = buf[i]!
          if (b === LF || b === CR) {
            i++ // blank line or the CR of one
          } else if (b === PROMPT) {
            out.push({ kind: 'prompt' })
            i++
          } else if (b === HEADER[0]) {
            this.state = State.Header
            this.headerField = 0
            this.headerDigits = 0
            this.headerPos = 0
          } else {
            this.state = State.Line
          }
          break
        }
        case State.Header:
          i = this.header(buf, i, out)
          break
        case State.Line: {
          const lf = buf.indexOf(LF, i)
          const end = lf < 0 ? n : lf
          // One byte more than the limit: it may be the CR of the CR LF, which is no content. A
          // header prefix that turned out to be a line may already be longer (a tiny limit).
          const room = Math.max(0, this.maxLineLength + 1 - this.length)
          if (end - i > room) {
            // Cut at exactly maxLineLength bytes, wherever the chunks happen to end.
            this.append(buf, i, i + room)
            this.overflow(out)
            i += room
          } else {
            this.append(buf, i, end)
            if (lf >= 0) {
              this.endLine(out)
              i = lf + 1
            } else {
              i = n
            }
          }
          break
        }
        case State.Data: {
          const take = Math.min(this.dataRemaining, n - i)
          this.append(buf, i, i + take)
          this.dataRemaining -= take
          i += take
          if (this.dataRemaining === 0) {
            out.push({ kind: 'data', link: this.dataLink, bytes: this.take(), offset: this.dataStart })
            this.state = State.DataEndCr
          }
          break
        }
        case State.DataEndCr:
          if (buf[i] === CR) {
            this.state = State.DataEndLf
            i++
          } else if (buf[i] === LF) {
            this.state = State.LineStart
            i++
          } else {
            this.state = State.LineStart
          }
          break
        case State.DataEndLf:
          if (buf[i] === LF) i++
          this.state = State.LineStart
          break
        case State.Skip: {
          const lf = buf.indexOf(LF, i)
          if (lf < 0) i = n
          else {
            i = lf + 1
            this.state = State.LineStart
          }
          break
        }
      }
    }
    this.adopt()
    this.streamBase += n
    return out
  }

  /**
   * Flushes a last line that never got its newline (the device went away mid-line), or the header
   * and the bytes so far of a `+WS_DATA` cut short, as a truncated line.
   */
  end(): FrameRecord[] {
    const out: FrameRecord[] = []
    if ((this.state === State.Line || this.state === State.Header) && this.length > 0) {
      this.endLine(out)
    } else if (this.state === State.Data) {
      const header = Buffer.from(`+WS_DATA:${this.dataLink},${this.headerLen},`, 'latin1')
      const bytes = Buffer.concat([header, this.take()])
      out.push({ kind: 'line', text: this.decoder.decode(bytes.subarray(0, this.maxLineLength)), truncated: true })
    }
    this.state = State.LineStart
    this.clear()
    return out
  }

  /**
   * Consumes header bytes until the header is complete or proves to be a plain line. The bytes
   * are kept (once, as one range per chunk) only in case they turn out to be a line.
   */
  private header(buf: Buffer, start: number, out: FrameRecord[]): number {
    let i = start
    while (i < buf.length) {
      const b = buf[i]!
      if (this.headerField === 0) {
        if (b !== HEADER[this.headerPos]) return this.headerIsLine(buf, start, i)
        i++
        if (++this.headerPos === HEADER.length) {
          this.headerField = 1
          this.headerDigits = 0
          this.headerLink = 0
        }
        continue
      }
      const isDigit = b >= 0x30 && b <= 0x39
      if (isDigit && this.headerDigits < MAX_NUMBER_DIGITS) {
        if (this.headerField === 1) this.headerLink = this.headerLink * 10 + (b - 0x30)
        else this.headerLen = this.headerLen * 10 + (b - 0x30)
        this.headerDigits++
        i++
        continue
      }
      if (b === 0x2c /* , */ && this.headerDigits > 0) {
        i++
        if (this.headerField === 1) {
          this.headerField = 2
          this.headerDigits = 0
          this.headerLen = 0
          continue
        }
        // Header complete: the next headerLen bytes are payload, whatever they are.
        this.clear()
        this.dataLink = this.headerLink
        this.dataRemaining = this.headerLen
        this.dataStart = this.streamBase + i
        if (this.headerLen === 0) {
          out.push({ kind: 'data', link: this.dataLink, bytes: new Uint8Array(0), offset: this.dataStart })
          this.state = State.DataEndCr
        } else {
          this.state = State.Data
        }
        return i
      }
      return this.headerIsLine(buf, start, i)
    }
    // The chunk ended inside the header: keep its bytes, the header may yet be a line.
    this.append(buf, start, i)
    return i
  }

  private headerIsLine(buf: Buffer, start: number, i: number): number {
    this.append(buf, start, i)
    return this.toLine(i)
  }

  private toLine(i: number): number {
    this.state = State.Line
    return i
  }

  private append(buf: Buffer, start: number, end: number): void {
    if (end <= start) return
    this.parts.push(buf.subarray(start, end))
    this.length += end - start
  }

  /** The bytes of the record so far, as a buffer of their own; the parts are cleared. */
  private take(): Buffer {
    const joined = this.parts.length === 1 && this.owned === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length)
    this.clear()
    return joined
  }

  private clear(): void {
    this.parts = []
    this.owned = 0
    this.length = 0
  }

  /**
   * Copies the parts that still point into the chunk just pushed: the caller may reuse its buffer
   * once push returns. Each byte is copied at most once here, so this stays linear.
   */
  private adopt(): void {
    if (this.parts.length === this.owned) return
    const borrowed = this.parts.splice(this.owned)
    this.parts.push(borrowed.length === 1 ? Buffer.from(borrowed[0]!) : Buffer.concat(borrowed))
    this.owned = this.parts.length
  }

  private endLine(out: FrameRecord[]): void {
    // A line within one chunk is decoded where it lies: a string is made, no bytes are kept.
    let bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length)
    this.clear()
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1)
    this.state = State.LineStart
    if (bytes.length === 0) return
    if (bytes.length > this.maxLineLength) {
      out.push({ kind: 'line', text: this.decoder.decode(bytes.subarray(0, this.maxLineLength)), truncated: true })
      return
    }
    const text = this.decoder.decode(bytes)
    if (this.pendingEchoes.length > 0 && this.pendingEchoes[0] === text) {
      this.pendingEchoes.shift()
      out.push({ kind: 'echo', text })
      return
    }
    out.push({ kind: 'line', text })
  }

  private overflow(out: FrameRecord[]): void {
    const bytes = this.take().subarray(0, this.maxLineLength)
    out.push({ kind: 'line', text: this.decoder.decode(bytes), truncated: true })
    this.state = State.Skip
  }
}
