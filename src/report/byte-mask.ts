const MASK = Buffer.from('***')

/**
 * Masks secret values in a byte stream that arrives in chunks, as `io` events bring it. A secret can
 * be split across two reads (`...","12` then `34567890"`), so the end of a chunk that could be the
 * start of a secret is held back until the next chunk (or `flush`) tells whether it is one.
 * Without secrets, chunks pass through untouched and nothing is held.
 */
export class StreamMask {
  private readonly secrets: Buffer[]
  private held: Buffer = Buffer.alloc(0)

  constructor(secrets: readonly string[]) {
    // Longest first, so that a secret containing another one is masked whole (as the engine's Redactor does).
    const unique = [...new Set(secrets.filter((s) => s.length > 0))]
    this.secrets = unique.map((s) => Buffer.from(s, 'utf8')).sort((a, b) => b.length - a.length)
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

  private scan(buf: Buffer, final: boolean): { out: Buffer; rest: Buffer } {
    const parts: Buffer[] = []
    let plainFrom = 0
    let i = 0
    while (i < buf.length) {
      // The tail from here is shorter than some secret and equals its beginning: wait for more bytes
      // before deciding anything here, even if a shorter secret matches (the longer one wins).
      if (!final && this.secrets.some((s) => s.length > buf.length - i && buf.compare(s, 0, buf.length - i, i) === 0)) {
        parts.push(buf.subarray(plainFrom, i))
        return { out: Buffer.concat(parts), rest: Buffer.from(buf.subarray(i)) }
      }
      const whole = this.secrets.find((s) => s.length <= buf.length - i && buf.compare(s, 0, s.length, i, i + s.length) === 0)
      if (whole) {
        parts.push(buf.subarray(plainFrom, i), MASK)
        i += whole.length
        plainFrom = i
        continue
      }
      i++
    }
    parts.push(buf.subarray(plainFrom))
    return { out: Buffer.concat(parts), rest: Buffer.alloc(0) }
  }
}
