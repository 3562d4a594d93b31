/**
 * The device-to-host byte stream of ESP-AT, cut into records. Pure and push-driven: bytes in,
 * records out, with no clock and no I/O, and the same records whatever the chunking of the input
 * (reference §2.4, §7.8, §12). Length-framed records (`+IPD`, `+CIPRECVDATA`, `+MQTTSUBRECV`,
 * `+HTTPCLIENT`, `+WS_DATA`...) come from the table in framed-records.ts and are read by their length.
 */
import { FRAMED_RECORDS, MAX_HEADER_LENGTH } from './framed-records.ts'
import type { FramedHeader, FramedKind, FramedRecordSpec, HeaderParse } from './framed-records.ts'

export type FrameRecord =
  /** A line without its CR LF. Empty lines (the CR LF around results) are not reported. */
  | { kind: 'line'; text: string; truncated?: true }
  /** The line that echoes a command the host sent (ATE1, the firmware default). */
  | { kind: 'echo'; text: string }
  /** The `>` that ends `\r\nOK\r\n\r\n>`: the device waits for raw payload bytes. No newline follows it. */
  | { kind: 'prompt' }
  /**
   * Data read by length (`framed`: which record; `header` what its header said), or, in passthrough,
   * raw bytes as they came (`framed: 'raw'`). `offset`: where the bytes start in the stream (bytes
   * pushed since the framer was made). `unsolicited`: received data rather than part of a response.
   */
  | { kind: 'data'; framed: FramedKind | 'raw'; header?: FramedHeader; link?: number; bytes: Uint8Array; offset: number; unsolicited: boolean }

export interface FramerOptions {
  /**
   * A line with more bytes than this (not counting its CR LF) is reported truncated to this many
   * bytes and the rest of it skipped. Default: 64 KiB.
   */
  maxLineLength?: number
}

const EMPTY = Buffer.alloc(0)
const LF = 0x0a
const CR = 0x0d
const PROMPT = 0x3e // '>'
const PLUS = 0x2b // '+'

const enum State {
  LineStart,
  /** The line so far is a prefix of one or more framed records' prefixes. */
  Prefix,
  /** Reading a framed record's header after its prefix. */
  Header,
  Line,
  Data,
  /** After the data bytes: the CR LF the firmware appends, if it comes. */
  DataEndCr,
  DataEndLf,
  /** Skipping the rest of an over-long line. */
  Skip,
}

/** A framed record spec with its byte classes as lookup tables. */
interface Spec {
  spec: FramedRecordSpec
  prefix: Buffer
  allowed: Uint8Array
  decides: Uint8Array
}

const SPECS: readonly Spec[] = FRAMED_RECORDS.map((spec) => {
  const allowed = new Uint8Array(256)
  if (spec.headerBytes === undefined) {
    allowed.fill(1)
    allowed[CR] = allowed[LF] = 0
  } else for (const c of spec.headerBytes) allowed[c.charCodeAt(0)] = 1
  const decides = new Uint8Array(256)
  for (const c of spec.decisionBytes) decides[c.charCodeAt(0)] = 1
  return { spec, prefix: Buffer.from(spec.prefix, 'latin1'), allowed, decides }
})

/** The specs by the byte after their `+`, so that a line starting with `+` is compared with few of them. */
const BY_SECOND_BYTE: (Spec[] | undefined)[] = []
for (const c of SPECS) (BY_SECOND_BYTE[c.prefix[1]!] ??= []).push(c)

export class Framer {
  private state = State.LineStart
  /** The bytes of the record being read. Parts from `owned` on still point into the caller's chunk. */
  private parts: Buffer[] = []
  private owned = 0
  private length = 0
  /** Prefix matching: the specs still possible and how many prefix bytes matched. */
  private candidates: readonly Spec[] = SPECS
  private prefixPos = 0
  /** Header reading: the spec, the header text so far, whether to decide at the next byte. */
  private spec: Spec | undefined
  private header = ''
  private askNext = false
  /** Stream offset of the record's first byte (its `+`). */
  private recordStart = 0
  /** Data reading: what the header said, where the data starts in the stream, how many bytes remain. */
  private dataHeader: FramedHeader | undefined
  private dataKind: FramedRecordSpec | undefined
  private dataStart = 0
  private dataRemaining = 0
  /** The record's data, allocated at its announced length once the header is read, and filled so far. */
  private data: Buffer = EMPTY
  private dataFilled = 0
  /** Stream offset of the current chunk's first byte. */
  private streamBase = 0
  /** Passthrough: every byte is data, no lines. `rawAfterPrompt`: enter it at the next `>`. */
  private raw = false
  private rawAfterPrompt = false
  private readonly pendingEchoes: string[] = []
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
   * length for a framed record. What a flood without newlines can cost.
   */
  get pendingBytes(): number {
    return this.length + this.data.length
  }

  /** Where the data of a framed record still being read starts in the stream, if one is. */
  get openDataStart(): number | undefined {
    return this.state === State.Data ? this.dataStart : undefined
  }

  /** Whether the framer is in passthrough (every byte is data). */
  get passthrough(): boolean {
    return this.raw
  }

  /**
   * Passthrough (AT+CIPMODE=1 + AT+CIPSEND): `afterPrompt` enters it at the next `>` (the device's
   * bytes after it are raw data); `off` leaves it (the host sent `+++`).
   */
  setPassthrough(mode: 'afterPrompt' | 'off'): void {
    this.rawAfterPrompt = mode === 'afterPrompt'
    if (mode === 'off') this.raw = false
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
    this.consume(buf, out)
    this.adopt()
    this.streamBase += buf.length
    return out
  }

  private consume(buf: Buffer, out: FrameRecord[]): void {
    let i = 0
    const n = buf.length
    while (i < n) {
      if (this.raw) {
        out.push({ kind: 'data', framed: 'raw', bytes: Buffer.from(buf.subarray(i)), offset: this.streamBase + i, unsolicited: true })
        return
      }
      switch (this.state) {
        case State.LineStart: {
          const b = buf[i]!
          if (b === LF || b === CR) {
            i++ // blank line or the CR of one
          } else if (b === PROMPT) {
            out.push({ kind: 'prompt' })
            i++
            if (this.rawAfterPrompt) {
              this.rawAfterPrompt = false
              this.raw = true
            }
          } else if (b === PLUS) {
            this.state = State.Prefix
            this.candidates = SPECS
            this.prefixPos = 0
            this.recordStart = this.streamBase + i
          } else {
            this.state = State.Line
          }
          break
        }
        case State.Prefix:
          i = this.prefix(buf, i)
          break
        case State.Header:
          i = this.headerBytes(buf, i, out)
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
          buf.copy(this.data, this.dataFilled, i, i + take)
          this.dataFilled += take
          this.dataRemaining -= take
          i += take
          if (this.dataRemaining === 0) this.endData(out)
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
  }

  /**
   * Flushes a last line that never got its newline (the device went away mid-line), or the header
   * and the bytes so far of a framed record cut short, as a truncated line.
   */
  end(): FrameRecord[] {
    const out: FrameRecord[] = []
    if (this.state === State.Prefix) this.toLine(this.candidates[0]!.prefix.toString('latin1', 0, this.prefixPos))
    else if (this.state === State.Header) this.toLine(this.header)
    if (this.state === State.Line && this.length > 0) {
      this.endLine(out)
    } else if (this.state === State.Data) {
      const bytes = Buffer.concat([Buffer.from(this.dataHeader!.text, 'latin1'), this.data.subarray(0, this.dataFilled)])
      this.data = EMPTY
      this.dataFilled = 0
      out.push({ kind: 'line', text: this.decoder.decode(bytes.subarray(0, this.maxLineLength)), truncated: true })
    }
    this.state = State.LineStart
    this.clear()
    return out
  }

  /**
   * Matches the line's first bytes against the framed records' prefixes; the bytes are kept in case
   * it is a line. Where a whole prefix is in the chunk it is compared at once (the common case).
   */
  private prefix(buf: Buffer, start: number): number {
    if (this.prefixPos === 0) {
      // Byte by byte in JS: the prefixes are a dozen bytes, where a native compare costs more to call.
      let possible = false
      for (const c of BY_SECOND_BYTE[buf[start + 1] ?? 0] ?? (start + 1 < buf.length ? [] : SPECS)) {
        const p = c.prefix
        const n = Math.min(p.length, buf.length - start)
        let k = 1
        while (k < n && buf[start + k] === p[k]) k++
        if (k === p.length) return this.enterHeader(c, start + k)
        if (k === n) possible = true
      }
      if (!possible) {
        this.state = State.Line
        return start
      }
    }
    let i = start
    while (i < buf.length) {
      const b = buf[i]!
      const pos = this.prefixPos
      const still = this.candidates.filter((c) => c.prefix[pos] === b)
      if (still.length === 0) {
        this.toLine(this.candidates[0]!.prefix.toString('latin1', 0, pos))
        return i
      }
      i++
      this.prefixPos = pos + 1
      this.candidates = still
      const whole = still.find((c) => c.prefix.length === this.prefixPos)
      if (whole) return this.enterHeader(whole, i)
    }
    return i
  }

  /** The header's bytes are kept as its text (latin1, byte for byte) until it proves to be data or a line. */
  private enterHeader(spec: Spec, end: number): number {
    this.spec = spec
    this.header = spec.spec.prefix
    this.askNext = false
    this.state = State.Header
    return end
  }

  /**
   * Reads header bytes until the spec says what they are: data to read by length, or a line. The
   * header text is made only where the spec is asked, from the bytes as they lie in the chunk.
   */
  private headerBytes(buf: Buffer, start: number, out: FrameRecord[]): number {
    const spec = this.spec!
    const { allowed, decides } = spec
    let from = start
    let i = start
    while (i < buf.length) {
      const b = buf[i]!
      if (allowed[b] === 0) {
        const text = this.header + buf.toString('latin1', from, i + 1)
        const decided = spec.spec.parse(text, true)
        if (decided.status === 'data') {
          this.header = text
          return this.startData(decided, buf, i + 1, out)
        }
        this.toLine(this.header + buf.toString('latin1', from, i))
        return i
      }
      i++
      if (decides[b] === 0 && !this.askNext) {
        if (this.header.length + (i - from) > MAX_HEADER_LENGTH) {
          this.toLine(this.header + buf.toString('latin1', from, i))
          return i
        }
        continue
      }
      this.header += buf.toString('latin1', from, i)
      from = i
      if (this.header.length > MAX_HEADER_LENGTH) {
        this.toLine(this.header)
        return i
      }
      this.askNext = false
      const decided: HeaderParse = spec.spec.parse(this.header, false)
      if (decided.status === 'more') {
        this.askNext = decided.askNext === true
        continue
      }
      if (decided.status === 'line') {
        this.toLine(this.header)
        return i
      }
      return this.startData(decided, buf, i, out)
    }
    // The chunk ended inside the header: its text is kept, the header may yet be a line.
    this.header += buf.toString('latin1', from, i)
    return i
  }

  /** The bytes read as a header (their latin1 text) were the start of a line after all. */
  private toLine(text: string): void {
    if (text.length > 0) {
      this.parts.push(Buffer.from(text, 'latin1'))
      this.owned = this.parts.length
      this.length += text.length
    }
    this.state = State.Line
  }

  /**
   * The header is complete. Data bytes the header read ahead (a lookahead that proved to be data)
   * are the data's first bytes; if they are more than the record holds, the rest is read again.
   */
  private startData(decided: Extract<HeaderParse, { status: 'data' }>, buf: Buffer, i: number, out: FrameRecord[]): number {
    const spec = this.spec!.spec
    const ahead = decided.dataStart < this.header.length ? Buffer.from(this.header.slice(decided.dataStart), 'latin1') : EMPTY
    this.clear()
    this.dataHeader = decided.header
    this.dataKind = spec
    this.dataStart = this.recordStart + decided.dataStart
    const length = decided.header.length
    const used = Math.min(length, ahead.length)
    // One buffer of the announced length (bounded by MAX_FRAMED_LENGTH), filled as bytes come: no parts to join.
    this.data = length > 0 ? Buffer.allocUnsafe(length) : EMPTY
    this.dataFilled = used
    if (used > 0) ahead.copy(this.data, 0, 0, used)
    this.dataRemaining = length - used
    if (this.dataRemaining > 0) {
      this.state = State.Data
      return i
    }
    this.endData(out)
    if (ahead.length > used) {
      // Read the surplus again, as the stream bytes they are (rare: a lookahead longer than a tiny record).
      const base = this.streamBase
      this.streamBase = this.dataStart + used
      this.consume(ahead.subarray(used), out)
      this.adopt()
      this.streamBase = base
    }
    return i
  }

  private endData(out: FrameRecord[]): void {
    const header = this.dataHeader!
    const spec = this.dataKind!
    // One object shape for every record (no spread): the framer's hottest allocation.
    const bytes = this.data
    this.data = EMPTY
    this.dataFilled = 0
    out.push({ kind: 'data', framed: spec.kind, header, link: header.link, bytes, offset: this.dataStart, unsolicited: spec.unsolicited })
    this.state = State.DataEndCr
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
