import type { Segment } from './segments.ts'
import { SecretScanner, segmentsOf } from './secret-scan.ts'
import type { NamedSecret, SecretSpan } from './secret-scan.ts'

/** Bytes that crossed the link, ready to show: secrets are segments of their own, never bytes. */
export interface MaskedIo {
  dir: 'tx' | 'rx'
  at: number
  segments: Segment[]
}

/** The content of a length-framed record (`+WS_DATA`, `+IPD`...) in the received stream: `[start, end)`. */
export interface DataRegion {
  start: number
  end: number
  /** The record goes on in the next chunk. */
  open?: boolean
}

/** What is remembered of plain writes, to recognise data that only repeats them. */
const CLEAN_WRITES_LIMIT = 4 * 1024 * 1024
/** A received record longer than this is not compared with the writes (its secrets are masked by value). */
const REGION_LIMIT = 64 * 1024

interface OpenRegion {
  start: number
  end: number
  open: boolean
  parts: Buffer[]
  length: number
  overflow: boolean
}

/**
 * Turns the raw bytes of both directions into what every output shows, in the order they crossed.
 *
 * - What the host writes is masked exactly where a secret was templated in (`spans`): a payload whose
 *   bytes only happen to contain the password's characters is shown as it is.
 * - What the device sends is searched for the secrets' values (a device may print a stored password,
 *   and its echo repeats ours), except inside received data that repeats bytes the host wrote with no
 *   secret in them: an echo server's answer is evidence, not a leak.
 * - A received tail that could be the start of a secret is held until the next bytes tell; a write in
 *   the meantime waits behind it, so the order is never changed.
 */
export class IoMasker {
  private readonly scanner: SecretScanner
  private readonly out: (io: MaskedIo) => void
  private queued: MaskedIo[] = []
  private heldAt = 0
  private cleanWrites: Buffer[] = []
  private cleanBytes = 0
  private regions: OpenRegion[] = []

  constructor(secrets: readonly NamedSecret[], out: (io: MaskedIo) => void) {
    this.scanner = new SecretScanner(secrets)
    this.out = out
  }

  /** A secret learnt during the run (a capture into a secret variable). */
  addSecret(secret: NamedSecret): void {
    this.scanner.add(secret)
  }

  /** The host wrote `bytes`; `spans` say where templated secrets lie in them. */
  tx(bytes: Uint8Array, at: number, spans: readonly SecretSpan[] = []): void {
    if (spans.length === 0) this.rememberClean(bytes)
    const io: MaskedIo = { dir: 'tx', at, segments: segmentsOf(bytes, spans) }
    if (this.scanner.pending > 0) this.queued.push(io)
    else this.out(io)
  }

  /** The device sent `bytes`; `regions` are the data-record contents that overlap them (stream offsets). */
  rx(bytes: Uint8Array, at: number, regions: readonly DataRegion[] = []): void {
    const chunkStart = this.scanner.streamOffset
    this.track(bytes, chunkStart, regions)
    const { segments, heldBefore } = this.scanner.push(bytes, this.keep)
    // Nothing after a held tail can be decided before it: the queue waits while older bytes are held.
    const olderStillHeld = this.scanner.pending > bytes.length
    if (this.queued.length > 0 && !olderStillHeld) {
      // Writes were made while a tail was held: the tail crossed before them, this chunk after.
      if (heldBefore.length > 0) this.out({ dir: 'rx', at: this.heldAt, segments: heldBefore })
      this.drainQueue()
      if (segments.length > 0) this.out({ dir: 'rx', at, segments })
    } else if (heldBefore.length + segments.length > 0) {
      this.out({ dir: 'rx', at, segments: [...heldBefore, ...segments] })
    }
    if (this.scanner.pending > 0 && !olderStillHeld) this.heldAt = at
    this.prune()
  }

  /** Decides what is held (a marker or the end comes next) and lets queued writes out. */
  flush(): void {
    const rest = this.scanner.flush(this.keep)
    if (rest.length > 0) this.out({ dir: 'rx', at: this.heldAt, segments: rest })
    this.drainQueue()
    this.prune()
  }

  /**
   * Whether received data only repeats what the host wrote with no secret in it: then it holds no
   * secret, whatever its bytes look like.
   */
  reflectsCleanWrite(bytes: Uint8Array): boolean {
    if (bytes.length === 0) return true
    const needle = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    return this.cleanWrites.some((w) => w.length >= needle.length && w.indexOf(needle) >= 0)
  }

  /** A match inside received data is kept when that data, up to the match's end, repeats a plain write. */
  private readonly keep = (start: number, end: number): boolean => {
    const region = this.regions.find((r) => r.start <= start && end <= r.end)
    if (!region || region.overflow) return false
    const content = Buffer.concat(region.parts, region.length).subarray(0, end - region.start)
    return this.reflectsCleanWrite(content)
  }

  private drainQueue(): void {
    const queued = this.queued
    this.queued = []
    for (const io of queued) this.out(io)
  }

  private rememberClean(bytes: Uint8Array): void {
    if (!this.scanner.active || bytes.length === 0 || bytes.length > CLEAN_WRITES_LIMIT) return
    this.cleanWrites.push(Buffer.from(bytes))
    this.cleanBytes += bytes.length
    while (this.cleanBytes > CLEAN_WRITES_LIMIT) this.cleanBytes -= this.cleanWrites.shift()!.length
  }

  /** Keeps the content of the data records this chunk carries, for `keep`. */
  private track(bytes: Uint8Array, chunkStart: number, regions: readonly DataRegion[]): void {
    if (!this.scanner.active) return
    const chunkEnd = chunkStart + bytes.length
    for (const r of regions) {
      let region = this.regions.find((o) => o.start === r.start)
      if (!region) {
        region = { start: r.start, end: r.end, open: r.open ?? false, parts: [], length: 0, overflow: false }
        this.regions.push(region)
      }
      region.end = r.end
      region.open = r.open ?? false
      const from = Math.max(r.start, chunkStart)
      const to = Math.min(r.end, chunkEnd)
      if (to <= from || region.overflow) continue
      if (region.length + (to - from) > REGION_LIMIT) {
        region.overflow = true
        region.parts = []
        continue
      }
      region.parts.push(Buffer.from(bytes.subarray(from - chunkStart, to - chunkStart)))
      region.length += to - from
    }
  }

  /** Regions wholly before the undecided bytes are no longer needed. */
  private prune(): void {
    const decided = this.scanner.streamOffset - this.scanner.pending
    if (this.regions.length > 0) this.regions = this.regions.filter((r) => r.open || r.end > decided)
  }
}
