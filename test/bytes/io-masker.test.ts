import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IoMasker } from '../../src/bytes/io-masker.ts'
import type { DataRegion, MaskedIo } from '../../src/bytes/io-masker.ts'
import type { NamedSecret, SecretSpan } from '../../src/bytes/secret-scan.ts'
import type { Segment } from '../../src/bytes/segments.ts'

const PASSWORD: NamedSecret = { name: 'password', value: '1234567890' }
const show = (segments: readonly Segment[]) => segments.map((s) => ('bytes' in s ? s.bytes.toString('latin1') : `{${s.secret}}`)).join('')
const b = (s: string) => Buffer.from(s, 'latin1')

function masker(secrets: NamedSecret[] = [PASSWORD]): { m: IoMasker; out: MaskedIo[]; shown: () => string[] } {
  const out: MaskedIo[] = []
  const m = new IoMasker(secrets, (io) => out.push(io))
  return { m, out, shown: () => out.map((io) => `${io.dir} ${io.at} ${show(io.segments)}`) }
}

/** `+WS_DATA:0,<n>,` + content, with the region the framer would report for the content. */
function wsData(content: string, streamOffset: number): { bytes: Buffer; region: DataRegion } {
  const header = `+WS_DATA:0,${content.length},`
  return { bytes: b(`${header}${content}\r\n`), region: { start: streamOffset + header.length, end: streamOffset + header.length + content.length } }
}

describe('IoMasker', () => {
  it('masks what the host wrote exactly where a secret was templated in, and nowhere else', () => {
    const { m, shown } = masker()
    // The SSID happens to hold the password's characters; only the templated password is masked.
    const command = 'AT+CWJAP="ap1234567890","1234567890"\r\n'
    const span: SecretSpan = { start: 25, end: 35, name: 'password' }
    m.tx(b(command), 1, [span])
    expect(shown()).toEqual(['tx 1 AT+CWJAP="ap1234567890","{password}"\r\n'])
  })

  it('shows a payload with no secret templated in as its true bytes, however much it looks like one', () => {
    const { m, shown } = masker()
    const payload = '0123456789'.repeat(200)
    m.tx(b(payload), 1)
    expect(shown()).toEqual([`tx 1 ${payload}`])
  })

  it('masks the secret by value in what the device prints (its echo, a stored password), also split across reads', () => {
    const { m, shown } = masker()
    m.rx(b('AT+CWJAP="lab","12345'), 2)
    m.rx(b('67890"\r\n+CWSAP:"ap","1234567890",5,3\r\n'), 3)
    expect(shown().join('')).not.toContain('12345')
    expect(shown()).toEqual(['rx 2 AT+CWJAP="lab","', 'rx 3 {password}"\r\n+CWSAP:"ap","{password}",5,3\r\n'])
  })

  it('shows received data that repeats a plain write as it is (an echo server answering our payload)', () => {
    const { m, shown } = masker()
    const payload = '0123456789'.repeat(200)
    m.tx(b(payload), 1)
    m.rx(b('\r\nSEND OK\r\n'), 2)
    // The echo comes back in two records, split at an odd place.
    const first = wsData(payload.slice(0, 1027), 11)
    const second = wsData(payload.slice(1027), 11 + first.bytes.length)
    m.rx(first.bytes, 3, [first.region])
    m.rx(second.bytes, 4, [second.region])
    m.flush()
    const rx = shown().filter((l) => l.startsWith('rx')).join('')
    expect(rx).not.toContain('{password}')
    expect(rx).toContain(payload.slice(0, 1027))
  })

  it('still masks received data that does not repeat a plain write (a payload built from the secret, reflected)', () => {
    const { m, shown } = masker()
    m.tx(b('pw=1234567890'), 1, [{ start: 3, end: 13, name: 'password' }])
    const data = wsData('pw=1234567890', 0)
    m.rx(data.bytes, 2, [data.region])
    m.flush()
    expect(shown()).toEqual(['tx 1 pw={password}', 'rx 2 +WS_DATA:0,13,pw={password}\r\n'])
  })

  it('keeps the order: a write made while a received tail is held goes out after that tail', () => {
    const { m, out } = masker()
    m.rx(b('OK\r\n123'), 1) // "123" could start the password: held
    m.tx(b('AT\r\n'), 2)
    m.rx(b('x\r\n'), 3)
    m.flush()
    expect(out.map((io) => [io.dir, io.at, show(io.segments)])).toEqual([
      ['rx', 1, 'OK\r\n'],
      ['rx', 1, '123'],
      ['tx', 2, 'AT\r\n'],
      ['rx', 3, 'x\r\n'],
    ])
  })

  it('flush decides what is held and lets the queued writes out, in order', () => {
    const { m, out } = masker()
    m.rx(b('12345'), 1)
    m.tx(b('AT\r\n'), 2)
    expect(out).toEqual([])
    m.flush()
    expect(out.map((io) => [io.dir, show(io.segments)])).toEqual([
      ['rx', '12345'],
      ['tx', 'AT\r\n'],
    ])
  })

  it('reflectsCleanWrite: only data contained in a plain write', () => {
    const { m } = masker()
    m.tx(b('hello 1234567890 world'), 1)
    m.tx(b('AT+X="1234567890"'), 2, [{ start: 6, end: 16, name: 'password' }])
    expect(m.reflectsCleanWrite(b('1234567890 wor'))).toBe(true)
    expect(m.reflectsCleanWrite(b('X="1234567890"'))).toBe(false)
  })

  it('whatever the chunking and interleaving: per direction, the bytes out are the bytes in with only secrets replaced; the password never shows outside plain data (property)', () => {
    const rxPieces = ['OK\r\n', '1234567890', '12345', '67890', 'AT+CWJAP="a","', '"\r\n', 'x']
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ dir: fc.constant('rx' as const), text: fc.constantFrom(...rxPieces) }), fc.record({ dir: fc.constant('tx' as const), text: fc.constantFrom('AT\r\n', '0123456789') })), { maxLength: 20 }),
        (ios) => {
          const { m, out } = masker()
          ios.forEach((io, i) => (io.dir === 'tx' ? m.tx(b(io.text), i) : m.rx(b(io.text), i)))
          m.flush()
          const joined = (dir: 'tx' | 'rx') => out.filter((o) => o.dir === dir).map((o) => show(o.segments)).join('')
          const rxIn = ios.filter((io) => io.dir === 'rx').map((io) => io.text).join('')
          expect(joined('rx')).toBe(rxIn.split(PASSWORD.value).join('{password}'))
          expect(joined('tx')).toBe(ios.filter((io) => io.dir === 'tx').map((io) => io.text).join(''))
          // Never reordered: the times come out as they went in.
          const times = out.map((o) => o.at)
          expect([...times].sort((x, y) => x - y)).toEqual(times)
        },
      ),
    )
  })
})
