import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { maskTemplated, SecretScanner, secretsIn, segmentsOf, utf8Spans } from '../../src/bytes/secret-scan.ts'
import type { NamedSecret } from '../../src/bytes/secret-scan.ts'
import type { Segment } from '../../src/bytes/segments.ts'
import { normalizeSegments } from '../../src/bytes/segments.ts'

const show = (segments: readonly Segment[]) => segments.map((s) => ('bytes' in s ? s.bytes.toString('latin1') : `{${s.secret}}`)).join('')
const password: NamedSecret = { name: 'password', value: '1234567890' }

/** Feeds chunks, then flushes (as at a step's end); what was shown after each chunk too. */
function scan(secrets: NamedSecret[], chunks: string[]): { out: Segment[]; afterEach: string[] } {
  const scanner = new SecretScanner(secrets)
  const out: Segment[] = []
  const afterEach: string[] = []
  for (const c of chunks) {
    const { heldBefore, segments } = scanner.push(Buffer.from(c, 'latin1'))
    out.push(...heldBefore, ...segments)
    afterEach.push(show(out))
  }
  out.push(...scanner.flush())
  return { out: normalizeSegments(out), afterEach }
}

describe('SecretScanner (secrets found by value in what the device sends)', () => {
  it('names a secret where it was, the longest first', () => {
    const { out } = scan([{ name: 'short', value: 'pass' }, { name: 'long', value: 'password' }], ['AT+CWJAP="lab","password"\r\n'])
    expect(show(out)).toBe('AT+CWJAP="lab","{long}"\r\n')
  })

  it('names a secret split across two reads, and never lets its first part out early', () => {
    const { out, afterEach } = scan([password], ['AT+CWJAP="lab","12345', '67890"\r\n'])
    expect(show(out)).toBe('AT+CWJAP="lab","{password}"\r\n')
    expect(afterEach[0]).toBe('AT+CWJAP="lab","')
  })

  it('holds back only a tail that could start a secret, and lets it go when it does not', () => {
    const scanner = new SecretScanner([{ name: 's', value: 'secret' }])
    expect(show(scanner.push(Buffer.from('xxse')).segments)).toBe('xx')
    expect(scanner.pending).toBe(2)
    const next = scanner.push(Buffer.from('cond'))
    expect(show([...next.heldBefore, ...next.segments])).toBe('second')
    expect(scanner.pending).toBe(0)
    expect(show(scanner.push(Buffer.from('OK\r\nse')).segments)).toBe('OK\r\n')
    // At the end of a step nothing more is coming: an incomplete secret is not a secret.
    expect(show(scanner.flush())).toBe('se')
  })

  it('without secrets, passes chunks through and holds nothing', () => {
    const scanner = new SecretScanner([])
    expect(show(scanner.push(Buffer.from('\x00\xffAT', 'latin1')).segments)).toBe('\x00\xffAT')
    expect(scanner.pending).toBe(0)
  })

  it('finds UTF-8 secrets in raw bytes', () => {
    const scanner = new SecretScanner([{ name: 'pw', value: '密码' }])
    const all = Buffer.from('pw=密码;', 'utf8')
    const a = scanner.push(all.subarray(0, 5))
    const b = scanner.push(all.subarray(5))
    const segments = normalizeSegments([...a.heldBefore, ...a.segments, ...b.heldBefore, ...b.segments, ...scanner.flush()])
    expect(segments).toEqual([{ bytes: Buffer.from('pw=') }, { secret: 'pw' }, { bytes: Buffer.from(';') }])
  })

  it('leaves a match that `keep` accepts as plain bytes, by its stream offsets', () => {
    const scanner = new SecretScanner([password])
    const first = scanner.push(Buffer.from('0123'))
    expect(show(first.segments)).toBe('0')
    // The second occurrence (stream offsets 11..21) is kept, the first (1..11) is masked.
    const { segments, heldBefore } = scanner.push(Buffer.from('45678901234567890123456789'), (start, end) => start === 11 && end === 21)
    expect(show([...heldBefore, ...segments, ...scanner.flush()])).toBe('{password}1234567890123456789')
  })

  it('a secret learnt during the run is found from then on', () => {
    const scanner = new SecretScanner([])
    expect(scanner.active).toBe(false)
    scanner.add({ name: 'token', value: 'abc123' })
    expect(show(scanner.push(Buffer.from('+TOKEN:abc123\r\n')).segments)).toBe('+TOKEN:{token}\r\n')
  })

  it('gives the same segments however the stream is chunked, shows nothing it takes back, and never the secret bytes (property)', () => {
    const secrets = [password, { name: 'b', value: 'abcab' }, { name: 'c', value: 'ab' }]
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('1234567890', 'abcab', 'ab', 'a', '1234', '\r\n', 'x', 'c', '1234567890123'), { maxLength: 12 }).map((parts) => parts.join('')),
        fc.array(fc.nat(), { maxLength: 6 }),
        (stream, cuts) => {
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
          const chunks = [0, ...points].map((p, i, all) => stream.slice(p, all[i + 1] ?? stream.length))
          const whole = scan(secrets, [stream]).out
          const { out, afterEach } = scan(secrets, chunks)
          expect(out).toEqual(whole)
          for (const partial of afterEach) expect(show(out).startsWith(partial)).toBe(true)
          expect(show(out)).not.toContain(password.value)
        },
      ),
    )
  })
})

describe('secrets by position (what the host wrote from templates)', () => {
  it('segmentsOf cuts exactly at the spans and nowhere else', () => {
    const bytes = Buffer.from('AT+CWJAP="1234567890","1234567890"\r\n')
    expect(show(segmentsOf(bytes, [{ start: 23, end: 33, name: 'password' }]))).toBe('AT+CWJAP="1234567890","{password}"\r\n')
  })

  it('maskTemplated masks the spans of a text, and escapes the rest when asked', () => {
    const text = 'AT+X="a.b","pw"'
    expect(maskTemplated({ text, secrets: [{ start: 12, end: 14, name: 'p' }] })).toBe('AT+X="a.b","***"')
    expect(maskTemplated({ text: 'a.b-pw', secrets: [{ start: 4, end: 6, name: 'p' }] }, (t) => t.replace(/\./g, '\\.'))).toBe('a\\.b-***')
  })

  it('utf8Spans turns string offsets into byte offsets', () => {
    expect(utf8Spans({ text: 'é=密码', secrets: [{ start: 2, end: 4, name: 'pw' }] })).toEqual([{ start: 3, end: 9, name: 'pw' }])
  })

  it('secretsIn finds every occurrence inside a value, the longest first, without overlaps', () => {
    expect(secretsIn('u:pass:password', [{ name: 's', value: 'pass' }, { name: 'l', value: 'password' }], 10)).toEqual([
      { start: 12, end: 16, name: 's' },
      { start: 17, end: 25, name: 'l' },
    ])
  })
})
