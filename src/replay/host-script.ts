import type { RecordedData } from './atrec-reader.ts'
import type { Segment } from '../bytes/segments.ts'

type Piece =
  | { kind: 'bytes'; bytes: Buffer; entry: number; run: number }
  /** A secret the host wrote: it ends where `needle`, the recorded bytes that follow it, begin. */
  | { kind: 'secret'; name: string; entry: number; run: number; needle: Buffer }

/** How much of the recording to show around a deviation. */
const SHOWN_AHEAD = 48
const SHOWN_BEFORE = 24

export interface Deviation {
  why:
    | 'different'
    /** The host wrote more than the recording has. */
    | 'beyond-end'
    /** The host's line ended before the bytes that follow a secret in the recording. */
    | 'secret-unterminated'
  /** 0-based offset in everything the host wrote. */
  hostOffset: number
  /** The recorded write (its line in the file and the step it belongs to); absent beyond the end. */
  entry?: RecordedData
  /** The recording's bytes just before the deviation, in the same run of host writes. */
  before: Segment[]
  /** What the recording has from the deviation on, up to the device's next answer. */
  expected: Segment[]
  /** What the host wrote from the deviation on, whole and raw: the caller masks it, then shortens it. */
  written: Buffer
}

export type WriteOutcome = { ok: true; completed: number[] } | { ok: false; deviation: Deviation }

/**
 * What the host is expected to write, as one byte stream, and how far it has got. Host writes may
 * be chunked differently from the recording: only the stream counts. A secret in the recording
 * matches whatever the host writes there, up to the recorded bytes that follow it (the `"` that
 * closes `AT+CWJAP="ssid","\{password}"`), within one line; a secret at the very end of what the
 * host wrote before the device answered takes the rest of that write.
 */
export class HostScript {
  private readonly data: readonly RecordedData[]
  private readonly pieces: Piece[] = []
  /** For each tx entry: the piece count once it is complete. */
  private readonly entryEnd = new Map<number, number>()
  private index = 0
  private offset = 0
  private consumed = 0
  private pending: Buffer = Buffer.alloc(0)
  private readonly secretValues = new Map<string, Buffer>()

  constructor(data: readonly RecordedData[]) {
    this.data = data
    let run = 0
    data.forEach((entry, i) => {
      if (entry.dir === 'rx') {
        run++
        return
      }
      for (const s of entry.segments) {
        if ('bytes' in s) this.pieces.push({ kind: 'bytes', bytes: s.bytes, entry: i, run })
        else this.pieces.push({ kind: 'secret', name: s.secret, entry: i, run, needle: Buffer.alloc(0) })
      }
      this.entryEnd.set(i, this.pieces.length)
    })
    this.pieces.forEach((p, k) => {
      if (p.kind !== 'secret') return
      const after: Buffer[] = []
      for (let j = k + 1; j < this.pieces.length; j++) {
        const q = this.pieces[j]!
        if (q.kind !== 'bytes' || q.run !== p.run) break
        after.push(q.bytes)
      }
      p.needle = Buffer.concat(after)
    })
  }

  /** Whether the host has written everything the recording has before data entry `i`. */
  hasWrittenBefore(i: number): boolean {
    let needed = 0
    for (let j = i - 1; j >= 0; j--) {
      const end = this.entryEnd.get(j)
      if (end !== undefined) {
        needed = end
        break
      }
    }
    return this.index >= needed
  }

  /** The bytes the host last wrote in place of this secret (the replay echoes them). */
  secretValue(name: string): Buffer | undefined {
    return this.secretValues.get(name)
  }

  /** Matches the host's next bytes; returns the tx entries they completed, or where they deviate. */
  write(chunk: Uint8Array): WriteOutcome {
    this.pending = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk)
    const completed: number[] = []
    while (this.pending.length > 0) {
      const piece = this.pieces[this.index]
      if (!piece) return this.deviate('beyond-end', 0)
      if (piece.kind === 'bytes') {
        const want = piece.bytes.subarray(this.offset)
        const n = Math.min(want.length, this.pending.length)
        for (let i = 0; i < n; i++) if (this.pending[i] !== want[i]) return this.deviate('different', i)
        this.take(n)
        this.offset += n
        if (this.offset === piece.bytes.length) this.advance(completed)
        continue
      }
      if (piece.needle.length === 0) {
        this.secretValues.set(piece.name, this.pending)
        this.take(this.pending.length)
        this.advance(completed)
        continue
      }
      const at = this.pending.indexOf(piece.needle)
      const lineEnd = this.pending.indexOf('\r\n')
      if (lineEnd >= 0 && (at < 0 || lineEnd < at)) return this.deviate('secret-unterminated', 0)
      if (at < 0) break // the rest of the secret, or of the bytes after it, is still to come
      this.secretValues.set(piece.name, Buffer.from(this.pending.subarray(0, at)))
      this.take(at)
      this.advance(completed)
    }
    return { ok: true, completed }
  }

  private take(n: number): void {
    this.pending = this.pending.subarray(n)
    this.consumed += n
  }

  private advance(completed: number[]): void {
    const piece = this.pieces[this.index]!
    this.index++
    this.offset = 0
    if (this.entryEnd.get(piece.entry) === this.index) completed.push(piece.entry)
  }

  private deviate(why: Deviation['why'], at: number): WriteOutcome {
    const piece = this.pieces[this.index]
    const deviation: Deviation = {
      why,
      hostOffset: this.consumed + at,
      ...(piece ? { entry: this.data[piece.entry]! } : {}),
      before: piece ? this.recordedBefore(at) : [],
      expected: piece ? this.recordedAhead(at) : [],
      // Where a secret did not end as recorded, the host's bytes are that secret: never shown.
      written: why === 'secret-unterminated' ? Buffer.alloc(0) : Buffer.from(this.pending.subarray(at)),
    }
    return { ok: false, deviation }
  }

  /** The recording's bytes of the current run up to the deviation (which is `at` bytes into the pending ones). */
  private recordedBefore(at: number): Segment[] {
    const piece = this.pieces[this.index]!
    const out: Segment[] = []
    let budget = SHOWN_BEFORE
    const upTo = piece.kind === 'bytes' ? this.offset + at : 0
    if (piece.kind === 'bytes' && upTo > 0) out.unshift({ bytes: piece.bytes.subarray(Math.max(0, upTo - budget), upTo) })
    budget -= upTo
    for (let k = this.index - 1; k >= 0 && budget > 0; k--) {
      const p = this.pieces[k]!
      if (p.run !== piece.run) break
      if (p.kind === 'secret') out.unshift({ secret: p.name })
      else {
        out.unshift({ bytes: p.bytes.subarray(Math.max(0, p.bytes.length - budget)) })
        budget -= p.bytes.length
      }
    }
    return out
  }

  /** The recording's bytes from the deviation to the end of the current run of host writes. */
  private recordedAhead(at: number): Segment[] {
    const piece = this.pieces[this.index]!
    const out: Segment[] = []
    let budget = SHOWN_AHEAD
    for (let k = this.index; k < this.pieces.length && budget > 0; k++) {
      const p = this.pieces[k]!
      if (p.run !== piece.run) break
      if (p.kind === 'secret') out.push({ secret: p.name })
      else {
        const from = k === this.index ? this.offset + at : 0
        out.push({ bytes: p.bytes.subarray(from, from + budget) })
        budget -= p.bytes.length - from
      }
    }
    return out
  }
}
