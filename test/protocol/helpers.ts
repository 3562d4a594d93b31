import type { FrameRecord } from '../../src/protocol/framer.ts'
import { Framer } from '../../src/protocol/framer.ts'
import type { FramerOptions } from '../../src/protocol/framer.ts'

/** Bytes from a C-like string: every char code is one byte (use `\x..` escapes for binary). */
export function bin(text: string): Buffer {
  return Buffer.from(text, 'latin1')
}

/** A record with its bytes as a plain array, so that records compare structurally. */
export type Plain =
  | { kind: 'line'; text: string; truncated?: true }
  | { kind: 'echo'; text: string }
  | { kind: 'prompt' }
  /** A framed record (`header`: as printed up to the data) or raw passthrough bytes. */
  | { kind: 'data'; framed: string; header?: string; link?: number; bytes: number[] }

export function plain(records: readonly FrameRecord[]): Plain[] {
  return records.map((r) =>
    r.kind === 'data'
      ? { kind: 'data', framed: r.framed, ...(r.header ? { header: r.header.text } : {}), ...(r.link !== undefined ? { link: r.link } : {}), bytes: Array.from(r.bytes) }
      : { ...r },
  )
}

/** What the device wrote between two host writes, and the command line the host wrote before it. */
export interface Turn {
  echo?: string
  device: Uint8Array
}

/** Deterministic PRNG (mulberry32), so that random splits are reproducible from a seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Cuts bytes at the given offsets (any order, duplicates and out-of-range values allowed). */
export function cut(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const points = [...new Set(offsets.map((o) => Math.abs(Math.trunc(o)) % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let from = 0
  for (const p of points) {
    chunks.push(bytes.subarray(from, p))
    from = p
  }
  chunks.push(bytes.subarray(from))
  return chunks
}

export function randomCut(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const count = Math.floor(random() * Math.min(bytes.length, 12))
  return cut(bytes, Array.from({ length: count }, () => Math.floor(random() * (bytes.length + 1))))
}

export function byteByByte(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))
}

/**
 * Feeds a conversation turn by turn (announcing each echo before the device's bytes, as the
 * session does) with every turn's bytes cut by `split`, then ends the stream. Each chunk is a
 * copy that is scribbled over once pushed: records (compared only at the end) or state that kept
 * a reference to a chunk would show the scribble.
 */
export function frame(turns: readonly Turn[], split: (bytes: Uint8Array) => Uint8Array[] = (b) => [b], options?: FramerOptions): Plain[] {
  const framer = new Framer(options)
  const out: FrameRecord[] = []
  for (const turn of turns) {
    if (turn.echo !== undefined) framer.expectEcho(turn.echo)
    for (const piece of split(turn.device)) {
      const chunk = Uint8Array.from(piece)
      out.push(...framer.push(chunk))
      chunk.fill(0x58)
    }
  }
  out.push(...framer.end())
  return plain(out)
}

export function frameBytes(bytes: Uint8Array | string, split?: (bytes: Uint8Array) => Uint8Array[], options?: FramerOptions): Plain[] {
  return frame([{ device: typeof bytes === 'string' ? bin(bytes) : bytes }], split, options)
}

export const line = (text: string): Plain => ({ kind: 'line', text })
export const truncated = (text: string): Plain => ({ kind: 'line', text, truncated: true })
export const echo = (text: string): Plain => ({ kind: 'echo', text })
export const prompt: Plain = { kind: 'prompt' }
const byteArray = (bytes: string | number[]) => (typeof bytes === 'string' ? Array.from(bin(bytes)) : bytes)
/** A `+WS_DATA` record on `link`. */
export const data = (link: number, bytes: string | number[]): Plain => {
  const b = byteArray(bytes)
  return { kind: 'data', framed: 'ws', header: `+WS_DATA:${link},${b.length},`, link, bytes: b }
}
/** Any framed record, by its header as printed (`+IPD,0,4:`). */
export const framed = (kind: string, header: string, bytes: string | number[], link?: number): Plain => ({
  kind: 'data',
  framed: kind,
  header,
  ...(link !== undefined ? { link } : {}),
  bytes: byteArray(bytes),
})
export const raw = (bytes: string | number[]): Plain => ({ kind: 'data', framed: 'raw', bytes: byteArray(bytes) })
