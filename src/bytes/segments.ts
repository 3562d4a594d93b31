/**
 * Recorded data: literal bytes, or a secret that the recording names but never holds.
 * A recording of a run with `${password}` keeps `{ secret: 'password' }` where the password was.
 */
export type Segment = { bytes: Buffer } | { secret: string }

/** Joins neighbouring byte segments, so that equal data always has the same segments. */
export function normalizeSegments(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = []
  for (const s of segments) {
    if ('bytes' in s) {
      if (s.bytes.length === 0) continue
      const last = out[out.length - 1]
      if (last && 'bytes' in last) out[out.length - 1] = { bytes: Buffer.concat([last.bytes, s.bytes]) }
      else out.push({ bytes: s.bytes })
    } else out.push(s)
  }
  return out
}

/** The segments as bytes for people: each secret as `***`, as in every other output. */
export function maskedBytes(segments: readonly Segment[]): Buffer {
  return Buffer.concat(segments.map((s) => ('bytes' in s ? s.bytes : SECRET_SHOWN)))
}

/** How a secret is shown to people, everywhere: in text, in bytes, in quoted pieces. */
export const MASK_TEXT = '***'
const SECRET_SHOWN = Buffer.from(MASK_TEXT)
