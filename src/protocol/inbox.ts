import type { FrameRecord } from './framer.ts'
import type { LineKind } from './line-kinds.ts'
import { lineKind } from './line-kinds.ts'

export type EntryKind = LineKind | 'echo' | 'prompt' | 'data'

/** A record received from the device, numbered and timed. */
export interface InboxEntry {
  /** Increases by one per record; a step only looks at entries from a given seq on. */
  seq: number
  /** Milliseconds since the session started. */
  at: number
  record: FrameRecord
  kind: EntryKind
  /** The record as a line of text: what string and regex expectations match against. */
  text: string
}

export function toEntry(record: FrameRecord, seq: number, at: number): InboxEntry {
  switch (record.kind) {
    case 'line':
      return { seq, at, record, kind: lineKind(record.text), text: record.text }
    case 'echo':
      return { seq, at, record, kind: 'echo', text: record.text }
    case 'prompt':
      return { seq, at, record, kind: 'prompt', text: '>' }
    case 'data':
      return { seq, at, record, kind: 'data', text: dataText(record) }
  }
}

/** Keeps a leading U+FEFF, as the framer does for lines. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })

/** A framed record as the doc prints it, header and data: `+IPD,4:test`; raw passthrough bytes as they are. */
function dataText(record: Extract<FrameRecord, { kind: 'data' }>): string {
  return `${record.header?.text ?? ''}${utf8.decode(record.bytes)}`
}

/**
 * Lines received and not yet consumed by a step. Bounded: when a device floods unsolicited lines
 * that no step waits for, the oldest are dropped.
 */
export class Inbox {
  private entries: InboxEntry[] = []
  private readonly limit: number

  constructor(limit = 10_000) {
    this.limit = limit
  }

  add(entry: InboxEntry): void {
    this.entries.push(entry)
    // Keep the newer half (at least the entry just added), so that trimming is amortised.
    if (this.entries.length > this.limit) this.entries = this.entries.slice(this.entries.length - Math.max(1, Math.floor(this.limit / 2)))
  }

  /** Entries with seq >= from, oldest first (a copy). */
  since(from: number): InboxEntry[] {
    return this.entries.slice(this.indexOf(from))
  }

  /**
   * Visits the entries with seq >= from, oldest first, until `visit` returns false: what a running
   * exchange does on every read, so without copying the inbox each time.
   */
  visitFrom(from: number, visit: (entry: InboxEntry) => boolean): void {
    for (let i = this.indexOf(from); i < this.entries.length; i++) if (!visit(this.entries[i]!)) return
  }

  remove(seqs: ReadonlySet<number>): void {
    if (seqs.size > 0) this.entries = this.entries.filter((e) => !seqs.has(e.seq))
  }

  /** Drops every entry of a kind (a prompt that was answered, a start-up banner). */
  removeKind(kind: EntryKind): void {
    if (this.entries.some((e) => e.kind === kind)) this.entries = this.entries.filter((e) => e.kind !== kind)
  }

  /** The index of the first entry with seq >= from; entries are in seq order, so a binary search. */
  private indexOf(from: number): number {
    let lo = 0
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.entries[mid]!.seq < from) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  get size(): number {
    return this.entries.length
  }
}
