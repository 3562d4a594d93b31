import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { StreamMask } from '../../src/report/byte-mask.ts'

const bytes = (s: string) => Buffer.from(s, 'latin1')
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1')

/** Feeds chunks and flushes at the end, as the transcript does at a step's end. */
function maskChunks(secrets: string[], chunks: string[]): { out: string; afterEachChunk: string[] } {
  const mask = new StreamMask(secrets)
  const afterEachChunk: string[] = []
  let out = ''
  for (const c of chunks) {
    out += text(mask.push(bytes(c)))
    afterEachChunk.push(out)
  }
  return { out: out + text(mask.flush()), afterEachChunk }
}

describe('StreamMask', () => {
  it('masks a secret within one chunk, the longest secret first', () => {
    expect(maskChunks(['pass', 'password'], ['AT+CWJAP="lab","password"\r\n']).out).toBe('AT+CWJAP="lab","***"\r\n')
  })

  it('masks a secret split across two chunks, and never shows its first part early', () => {
    const { out, afterEachChunk } = maskChunks(['1234567890'], ['AT+CWJAP="lab","12345', '67890"\r\n'])
    expect(out).toBe('AT+CWJAP="lab","***"\r\n')
    expect(afterEachChunk[0]).toBe('AT+CWJAP="lab","')
  })

  it('holds back only a tail that could start a secret, and lets it go when it does not', () => {
    const mask = new StreamMask(['secret'])
    expect(text(mask.push(bytes('xxse')))).toBe('xx')
    expect(mask.pending).toBe(2)
    expect(text(mask.push(bytes('cond')))).toBe('second')
    expect(mask.pending).toBe(0)
    expect(text(mask.push(bytes('OK\r\nse')))).toBe('OK\r\n')
    // At the end of a step nothing more is coming: an incomplete secret is not a secret.
    expect(text(mask.flush())).toBe('se')
  })

  it('without secrets, passes chunks through and holds nothing', () => {
    const mask = new StreamMask([])
    expect(text(mask.push(bytes('\x00\xffAT')))).toBe('\x00\xffAT')
    expect(mask.pending).toBe(0)
  })

  it('masks UTF-8 secrets in raw bytes', () => {
    const mask = new StreamMask(['密码'])
    const all = Buffer.from('pw=密码;', 'utf8')
    const out = Buffer.concat([mask.push(all.subarray(0, 5)), mask.push(all.subarray(5)), mask.flush()])
    expect(out.toString('utf8')).toBe('pw=***;')
  })

  it('however the stream is chunked, the result is the whole text masked at once (property)', () => {
    const secrets = ['1234567890', 'abcab', 'ab']
    const wholeMasked = (s: string) => maskChunks(secrets, [s]).out
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('1234567890', 'abcab', 'ab', 'a', '1234', '\r\n', 'x', 'c'), { maxLength: 12 }).map((parts) => parts.join('')),
        fc.array(fc.nat(), { maxLength: 6 }),
        (stream, cuts) => {
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
          const chunks = [0, ...points].map((p, i, all) => stream.slice(p, all[i + 1] ?? stream.length))
          const { out, afterEachChunk } = maskChunks(secrets, chunks)
          expect(out).toBe(wholeMasked(stream))
          // What was shown before the end is a prefix of the final text: nothing is taken back.
          for (const partial of afterEachChunk) expect(out.startsWith(partial)).toBe(true)
          expect(out).not.toContain('1234567890')
        },
      ),
    )
  })
})
