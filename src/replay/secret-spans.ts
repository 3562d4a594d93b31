import type { Segment } from './segments.ts'
import { normalizeSegments } from './segments.ts'

export interface NamedSecret {
  name: string
  value: string
}

/**
 * Cuts a byte stream that arrives in chunks into literal bytes and named secrets, so a recording
 * keeps `\{password}` where the password was. Like the transcript's mask, it holds back the end of
 * a chunk that could be the start of a secret until the next chunk (or `flush`) tells, because a
 * secret can be split across two reads.
 */
export class SecretSpans {
  private readonly secrets: { name: string; bytes: Buffer }[]
  private readonly longest: number
  private held: Buffer = Buffer.alloc(0)

  constructor(secrets: readonly NamedSecret[]) {
    // Longest first, so that a secret containing another one is taken whole.
    const byValue = new Map<string, string>()
    for (const s of secrets) if (s.value.length > 0 && !byValue.has(s.value)) byValue.set(s.value, s.name)
    this.secrets = [...byValue].map(([value, name]) => ({ name, bytes: Buffer.from(value, 'utf8') })).sort((a, b) => b.bytes.length - a.bytes.length)
    this.longest = this.secrets[0]?.bytes.length ?? 0
  }

  push(chunk: Uint8Array): Segment[] {
    if (this.secrets.length === 0) return normalizeSegments([{ bytes: Buffer.from(chunk) }])
    const buf = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : Buffer.from(chunk)
    const { out, rest } = this.scan(buf, false)
    this.held = rest
    return out
  }

  /** What was held back: nothing more is coming before a marker or the end. */
  flush(): Segment[] {
    if (this.held.length === 0) return []
    const { out } = this.scan(this.held, true)
    this.held = Buffer.alloc(0)
    return out
  }

  get pending(): number {
    return this.held.length
  }

  /** Every whole secret becomes a named segment (earliest first, longest at a tie); unless `final`, a tail that could become one is held. */
  private scan(buf: Buffer, final: boolean): { out: Segment[]; rest: Buffer } {
    const out: Segment[] = []
    let from = 0
    let hold = final ? buf.length : this.holdFrom(buf, 0)
    for (;;) {
      let best: { at: number; secret: { name: string; bytes: Buffer } } | undefined
      for (const secret of this.secrets) {
        const at = buf.indexOf(secret.bytes, from)
        if (at >= 0 && (!best || at < best.at || (at === best.at && secret.bytes.length > best.secret.bytes.length))) best = { at, secret }
      }
      // A match that starts in the held-back tail waits: a longer secret may yet start there.
      if (!best || best.at >= hold) break
      out.push({ bytes: buf.subarray(from, best.at) }, { secret: best.secret.name })
      from = best.at + best.secret.bytes.length
      if (!final && from > hold) hold = this.holdFrom(buf, from)
    }
    out.push({ bytes: buf.subarray(from, hold) })
    return { out: normalizeSegments(out.map((s) => ('bytes' in s ? { bytes: Buffer.from(s.bytes) } : s))), rest: Buffer.from(buf.subarray(hold)) }
  }

  /** The first position (from `start` on) whose tail is a proper beginning of some secret. */
  private holdFrom(buf: Buffer, start: number): number {
    for (let i = Math.max(start, buf.length - this.longest + 1); i < buf.length; i++) {
      const tail = buf.length - i
      if (this.secrets.some((s) => s.bytes.length > tail && buf.compare(s.bytes, 0, tail, i) === 0)) return i
    }
    return buf.length
  }
}
