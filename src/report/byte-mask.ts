const MASK = Buffer.from('***')

/**
 * Masks secret values in a byte stream that arrives in chunks, as `io` events bring it. A secret can
 * be split across two reads (`...","12` then `34567890"`), so the end of a chunk that could be the
 * start of a secret is held back until the next chunk (or `flush`) tells whether it is one.
 * Without secrets, chunks pass through untouched and nothing is held.
 */
export class StreamMask {
  private readonly secrets: Buffer[]
  private readonly longest: number
  private held: Buffer = Buffer.alloc(0)

  constructor(secrets: readonly string[]) {
    // Longest first, so that a secret containing another one is masked whole (as the engine's Redactor does).
    const unique = [...new Set(secrets.filter((s) => s.length > 0))]
    this.secrets = unique.map((s) => Buffer.from(s, 'utf8')).sort((a, b) => b.length - a.length)
    this.longest = this.secrets[0]?.length ?? 0
  }

  /** The bytes that are safe to show now, secrets replaced by `***`. */
  push(chunk: Uint8Array): Buffer {
    if (this.secrets.length === 0) return Buffer.from(chunk)
    const buf = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : Buffer.from(chunk)
    const { out, rest } = this.scan(buf, false)
    this.held = rest
    return out
  }

  /** Whatever was held back, masked: at the end of a step or of the run, nothing more is coming. */
  flush(): Buffer {
    if (this.held.length === 0) return Buffer.alloc(0)
    const { out } = this.scan(this.held, true)
    this.held = Buffer.alloc(0)
    return out
  }

  /** How many bytes are held back. */
  get pending(): number {
    return this.held.length
  }

  /**
   * Replaces every whole secret (the earliest first, the longest at a tie) and, unless `final`,
   * holds back a tail that could still become one. Native `indexOf` per secret: linear in the bytes.
   */
  private scan(buf: Buffer, final: boolean): { out: Buffer; rest: Buffer } {
    const parts: Buffer[] = []
    const next = this.secrets.map((secret) => buf.indexOf(secret))
    let from = 0
    let hold = final ? buf.length : this.holdFrom(buf, 0)
    for (;;) {
      let best = -1
      for (let k = 0; k < this.secrets.length; k++) {
        if (next[k]! >= 0 && next[k]! < from) next[k] = buf.indexOf(this.secrets[k]!, from)
        const at = next[k]!
        if (at >= 0 && (best < 0 || at < next[best]! || (at === next[best]! && this.secrets[k]!.length > this.secrets[best]!.length))) best = k
      }
      // A match that starts in the held-back tail waits: a longer secret may yet start there.
      if (best < 0 || next[best]! >= hold) break
      parts.push(buf.subarray(from, next[best]), MASK)
      from = next[best]! + this.secrets[best]!.length
      if (!final && from > hold) hold = this.holdFrom(buf, from)
    }
    parts.push(buf.subarray(from, hold))
    return { out: Buffer.concat(parts), rest: hold < buf.length ? Buffer.from(buf.subarray(hold)) : Buffer.alloc(0) }
  }

  /** The first position (from `start` on) whose tail is a proper beginning of some secret: only the last few bytes can be. */
  private holdFrom(buf: Buffer, start: number): number {
    for (let i = Math.max(start, buf.length - this.longest + 1); i < buf.length; i++) {
      const tail = buf.length - i
      if (this.secrets.some((s) => s.length > tail && buf.compare(s, 0, tail, i) === 0)) return i
    }
    return buf.length
  }
}
