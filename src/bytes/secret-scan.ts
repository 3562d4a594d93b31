import { MASK_TEXT } from './segments.ts'
import type { Segment } from './segments.ts'

/** A secret of the run: the variable it comes from (what a recording calls it) and its value. */
export interface NamedSecret {
  name: string
  value: string
}

/**
 * Where a secret lies in some bytes: `[start, end)` byte offsets and the secret's name. Spans come
 * from templating (the engine knows where it put `${password}`), never from guessing.
 */
export interface SecretSpan {
  start: number
  end: number
  name: string
}

/** Decides whether a whole match of a secret at stream offsets `[start, end)` is shown as it is. */
export type KeepMatch = (start: number, end: number) => boolean

/** A run of scanned bytes, in the coordinates of the buffer that was scanned; `secret` names a masked one. */
interface Piece {
  start: number
  end: number
  secret?: string
}

interface Needle {
  name: string
  bytes: Buffer
}

/**
 * Finds the run's secrets by value in a byte stream that arrives in chunks: what the device sends,
 * where nothing says what is a secret. A secret can be split across two reads (`...","12` then
 * `34567890"`), so the end of a chunk that could be the start of one is held back until the next
 * chunk (or `flush`) tells. Without secrets nothing is held. Linear: one native `indexOf` per secret
 * and chunk, and the held tail is shorter than the longest secret.
 */
export class SecretScanner {
  private needles: Needle[] = []
  private longest = 0
  private held: Buffer = Buffer.alloc(0)
  /** Stream offset of the first held byte (of the next byte, when nothing is held). */
  private offset = 0

  constructor(secrets: readonly NamedSecret[] = []) {
    for (const s of secrets) this.add(s)
  }

  /** A secret learnt during the run (a capture into a secret variable) is looked for from now on. */
  add(secret: NamedSecret): void {
    if (secret.value.length === 0 || this.needles.some((n) => n.bytes.toString('utf8') === secret.value)) return
    this.needles.push({ name: secret.name, bytes: Buffer.from(secret.value, 'utf8') })
    // Longest first, so that a secret containing another one is taken whole.
    this.needles.sort((a, b) => b.bytes.length - a.bytes.length)
    this.longest = this.needles[0]!.bytes.length
  }

  get active(): boolean {
    return this.needles.length > 0
  }

  /** How many bytes are held back. */
  get pending(): number {
    return this.held.length
  }

  /** The stream offset the next pushed chunk starts at. */
  get streamOffset(): number {
    return this.offset + this.held.length
  }

  /**
   * The bytes that can be decided now, as segments, and how many of them were held from before this
   * chunk (the caller may need to put something between the two).
   */
  push(chunk: Uint8Array, keep?: KeepMatch): { segments: Segment[]; heldBefore: Segment[] } {
    const buf = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : Buffer.from(chunk)
    const heldLength = this.held.length
    const { pieces, hold } = this.scan(buf, false, keep)
    const result = split(buf, pieces, heldLength)
    this.offset += hold
    this.held = hold < buf.length ? Buffer.from(buf.subarray(hold)) : Buffer.alloc(0)
    return { segments: result.after, heldBefore: result.before }
  }

  /** Whatever was held back: nothing more is coming before a marker or the end. */
  flush(keep?: KeepMatch): Segment[] {
    if (this.held.length === 0) return []
    const buf = this.held
    const { pieces } = this.scan(buf, true, keep)
    this.offset += buf.length
    this.held = Buffer.alloc(0)
    return split(buf, pieces, 0).after
  }

  /**
   * Cuts `buf` into plain runs and masked secrets (the earliest match first, the longest at a tie);
   * unless `final`, a tail that could become a secret is held. A match `keep` accepts stays plain.
   */
  private scan(buf: Buffer, final: boolean, keep: KeepMatch | undefined): { pieces: Piece[]; hold: number } {
    const pieces: Piece[] = []
    if (this.needles.length === 0) return { pieces: [{ start: 0, end: buf.length }], hold: buf.length }
    const next = this.needles.map((n) => buf.indexOf(n.bytes))
    let from = 0
    let hold = final ? buf.length : this.holdFrom(buf, 0)
    for (;;) {
      let best = -1
      for (let k = 0; k < this.needles.length; k++) {
        if (next[k]! >= 0 && next[k]! < from) next[k] = buf.indexOf(this.needles[k]!.bytes, from)
        const at = next[k]!
        if (at >= 0 && (best < 0 || at < next[best]! || (at === next[best]! && this.needles[k]!.bytes.length > this.needles[best]!.bytes.length))) best = k
      }
      // A match that starts in the held-back tail waits: a longer secret may yet start there.
      if (best < 0 || next[best]! >= hold) break
      const at = next[best]!
      const end = at + this.needles[best]!.bytes.length
      if (keep?.(this.offset + at, this.offset + end)) {
        next[best] = buf.indexOf(this.needles[best]!.bytes, at + 1)
        continue
      }
      if (at > from) pieces.push({ start: from, end: at })
      pieces.push({ start: at, end, secret: this.needles[best]!.name })
      from = end
      if (!final && from > hold) hold = this.holdFrom(buf, from)
    }
    if (hold > from) pieces.push({ start: from, end: hold })
    return { pieces, hold }
  }

  /** The first position (from `start` on) whose tail is a proper beginning of some secret: only the last few bytes can be. */
  private holdFrom(buf: Buffer, start: number): number {
    for (let i = Math.max(start, buf.length - this.longest + 1); i < buf.length; i++) {
      const tail = buf.length - i
      if (this.needles.some((n) => n.bytes.length > tail && buf.compare(n.bytes, 0, tail, i) === 0)) return i
    }
    return buf.length
  }
}

/**
 * The pieces as segments, cut at `boundary`: what lies before it, and the rest. A secret that
 * straddles the boundary goes with the bytes before it, so that it is never cut in two.
 */
function split(buf: Buffer, pieces: readonly Piece[], boundary: number): { before: Segment[]; after: Segment[] } {
  const before: Segment[] = []
  const after: Segment[] = []
  for (const p of pieces) {
    if (p.secret !== undefined) {
      ;(p.start < boundary ? before : after).push({ secret: p.secret })
      continue
    }
    if (p.end <= boundary) before.push({ bytes: Buffer.from(buf.subarray(p.start, p.end)) })
    else if (p.start >= boundary) after.push({ bytes: Buffer.from(buf.subarray(p.start, p.end)) })
    else {
      before.push({ bytes: Buffer.from(buf.subarray(p.start, boundary)) })
      after.push({ bytes: Buffer.from(buf.subarray(boundary, p.end)) })
    }
  }
  return { before, after }
}

/** Bytes whose secrets are known by position (what the host wrote from a template), as segments. */
export function segmentsOf(bytes: Uint8Array, spans: readonly SecretSpan[]): Segment[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (spans.length === 0) return [{ bytes: Buffer.from(buf) }]
  const out: Segment[] = []
  let from = 0
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start < from) continue // overlapping spans: the first one covers it
    if (s.start > from) out.push({ bytes: Buffer.from(buf.subarray(from, s.start)) })
    out.push({ secret: s.name })
    from = s.end
  }
  if (from < buf.length) out.push({ bytes: Buffer.from(buf.subarray(from)) })
  return out
}

/** Text with the places where secrets were templated into it, as UTF-16 offsets (`String` indices). */
export interface TextWithSecrets {
  text: string
  secrets: SecretSpan[]
}

/**
 * The text with each templated secret shown as `***`, and nothing else changed (but for `rest`,
 * applied to the text around the secrets: a regular expression's label escapes it).
 */
export function maskTemplated(t: TextWithSecrets, rest: (text: string) => string = (x) => x): string {
  if (t.secrets.length === 0) return rest(t.text)
  let out = ''
  let from = 0
  for (const s of [...t.secrets].sort((a, b) => a.start - b.start)) {
    if (s.start < from) continue
    out += `${rest(t.text.slice(from, s.start))}${MASK_TEXT}`
    from = s.end
  }
  return out + rest(t.text.slice(from))
}

/** The spans of `t` as offsets into its UTF-8 bytes (`prefix` bytes come before the text). */
export function utf8Spans(t: TextWithSecrets, prefix = 0): SecretSpan[] {
  return t.secrets.map((s) => ({
    name: s.name,
    start: prefix + Buffer.byteLength(t.text.slice(0, s.start), 'utf8'),
    end: prefix + Buffer.byteLength(t.text.slice(0, s.end), 'utf8'),
  }))
}

/** Where the secrets' values occur inside `value` (longest first, no overlaps), shifted by `offset`. */
export function secretsIn(value: string, secrets: readonly NamedSecret[], offset = 0): SecretSpan[] {
  const spans: SecretSpan[] = []
  const taken = (start: number, end: number) => spans.some((s) => start < s.end && s.start < end)
  for (const s of [...secrets].sort((a, b) => b.value.length - a.value.length)) {
    if (s.value.length === 0) continue
    for (let at = value.indexOf(s.value); at >= 0; at = value.indexOf(s.value, at + 1)) {
      const start = offset + at
      if (!taken(start, start + s.value.length)) spans.push({ start, end: start + s.value.length, name: s.name })
    }
  }
  return spans.sort((a, b) => a.start - b.start)
}
