import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cuts, garbage, stream } from '../protocol/framer-arbitraries.ts'
import { byteByByte, cut, frame, frameBytes } from '../protocol/helpers.ts'
import { assertInBatches, TOTAL_RUNS } from './seed.ts'

/**
 * The framer's two promises, at scale: valid device output comes back as the same records
 * however it is chunked, and any bytes at all are framed without a throw, the same way for any
 * chunking, with no line over the limit. 10^6 cases in all by default, plus the loader's share (loader.fuzz.ts).
 */

describe('framer fuzz', () => {
  it('valid records, any chunking: the same records', async () => {
    await assertInBatches(
      'framer records',
      Math.round(TOTAL_RUNS * 0.7),
      fc.property(stream, cuts, (pieces, offsets) => {
        const bytes = Buffer.concat(pieces.map((p) => p.bytes))
        const expected = pieces.flatMap((p) => p.records)
        expect(frameBytes(bytes, (b) => cut(b, offsets))).toEqual(expected)
      }),
    )
  })

  it('arbitrary bytes: no throw, chunking-independent, bounded lines', async () => {
    await assertInBatches(
      'framer garbage',
      Math.round(TOTAL_RUNS * 0.3),
      fc.property(garbage, cuts, fc.integer({ min: 1, max: 64 }), (bytes, offsets, maxLineLength) => {
        const turns = [{ device: bytes }]
        const whole = frame(turns, undefined, { maxLineLength })
        expect(frame(turns, (b) => cut(b, offsets), { maxLineLength })).toEqual(whole)
        if (bytes.length < 40) expect(frame(turns, byteByByte, { maxLineLength })).toEqual(whole)
        for (const r of whole) if (r.kind === 'line' || r.kind === 'echo') expect(r.text.length).toBeLessThanOrEqual(maxLineLength)
      }),
    )
  })
})
