import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SecretSpans } from '../../src/replay/secret-spans.ts'
import type { Segment } from '../../src/replay/segments.ts'
import { normalizeSegments } from '../../src/replay/segments.ts'

const show = (segments: Segment[]) => segments.map((s) => ('bytes' in s ? s.bytes.toString('latin1') : `{${s.secret}}`)).join('')

function cut(secrets: { name: string; value: string }[], chunks: string[]): { out: Segment[]; afterEach: string[] } {
  const spans = new SecretSpans(secrets)
  const out: Segment[] = []
  const afterEach: string[] = []
  for (const c of chunks) {
    out.push(...spans.push(Buffer.from(c, 'latin1')))
    afterEach.push(show(out))
  }
  out.push(...spans.flush())
  return { out: normalizeSegments(out), afterEach }
}

describe('SecretSpans', () => {
  const password = { name: 'password', value: '1234567890' }

  it('names a secret where it was, the longest first', () => {
    const { out } = cut([{ name: 'short', value: 'pass' }, { name: 'long', value: 'password' }], ['AT+CWJAP="lab","password"\r\n'])
    expect(show(out)).toBe('AT+CWJAP="lab","{long}"\r\n')
  })

  it('names a secret split across two reads, and never lets its first part out early', () => {
    const { out, afterEach } = cut([password], ['AT+CWJAP="lab","12345', '67890"\r\n'])
    expect(show(out)).toBe('AT+CWJAP="lab","{password}"\r\n')
    expect(afterEach[0]).toBe('AT+CWJAP="lab","')
  })

  it('without secrets, passes every chunk through at once', () => {
    const spans = new SecretSpans([])
    expect(show(spans.push(Buffer.from('AT\r\n')))).toBe('AT\r\n')
    expect(spans.pending).toBe(0)
  })

  it('gives the same segments however the stream is chunked, and never the secret bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('AT+CWJAP="a","', '1234567890', '"\r\n', '123', 'OK', '\r\n', '1234567890123'), { maxLength: 10 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 30 }),
        (parts, sizes) => {
          const stream = parts.join('')
          const chunks: string[] = []
          for (let at = 0, k = 0; at < stream.length; k++) {
            const n = sizes[k % sizes.length]!
            chunks.push(stream.slice(at, at + n))
            at += n
          }
          const whole = cut([password], [stream]).out
          const chunked = cut([password], chunks).out
          expect(chunked).toEqual(whole)
          expect(show(chunked)).not.toContain(password.value)
        },
      ),
    )
  })
})
