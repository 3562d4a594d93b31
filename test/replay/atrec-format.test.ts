import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatEntry, formatHeader, logLineMarker, stepMarker } from '../../src/replay/atrec-format.ts'
import type { RecordEntry } from '../../src/replay/atrec-format.ts'
import { parseRecording, RecordingFormatError } from '../../src/replay/atrec-reader.ts'
import { quoteInline, quotePieces, unquote } from '../../src/bytes/quote.ts'
import type { Segment } from '../../src/bytes/segments.ts'
import { normalizeSegments } from '../../src/bytes/segments.ts'

const bytes = (s: string): Segment => ({ bytes: Buffer.from(s, 'latin1') })
const segmentArb: fc.Arbitrary<Segment> = fc.oneof(
  fc.uint8Array({ maxLength: 40 }).map((b) => ({ bytes: Buffer.from(b) })),
  fc.constantFrom('password', 'token', 'secret1').map((secret) => ({ secret })),
)

describe('quoted bytes', () => {
  it('writes AT text as itself, with C escapes, a piece per line, and \\{name} for a secret', () => {
    expect(quotePieces([bytes('AT+CWJAP="lab","'), { secret: 'password' }, bytes('"\r\n\r\nOK\r\n')], 'named')).toEqual([
      '"AT+CWJAP=\\"lab\\",\\"\\{password}\\"\\r\\n"',
      '"\\r\\n"',
      '"OK\\r\\n"',
    ])
    expect(quoteInline(Buffer.from([0x01, 0x0d, 0x0a, 0x00, 0xff, 0x5c]))).toBe('"\\x01\\r\\n\\x00\\xff\\\\"')
  })

  it('reads back every byte value and every secret, however the data is made up', () => {
    fc.assert(
      fc.property(fc.array(segmentArb, { maxLength: 8 }), (segments) => {
        const read = normalizeSegments(quotePieces(segments, 'named').flatMap((piece) => unquote(piece)))
        expect(read).toEqual(normalizeSegments(segments))
      }),
    )
  })

  it('says what is wrong with a piece and where', () => {
    expect(() => unquote('"AT\\q"')).toThrow('unknown escape `\\q`')
    expect(() => unquote('"AT')).toThrow('no closing')
    expect(() => unquote('"\\x4"')).toThrow('two hex digits')
    expect(() => unquote('"\\{1bad}"')).toThrow('secret name')
    expect(() => unquote('"é"')).toThrow('printable ASCII')
    expect(() => unquote('"OK" x')).toThrow('after the closing')
  })
})

describe('the .atrec file', () => {
  const entries: RecordEntry[] = [
    { kind: 'data', dir: 'rx', at: 3.25, segments: [bytes('\r\nready\r\n')] },
    { kind: 'marker', at: 10, text: stepMarker({ phase: 'steps', index: 0, name: 'Join "lab"' }) },
    { kind: 'data', dir: 'tx', at: 11.5, segments: [bytes('AT+CWJAP="lab","'), { secret: 'password' }, bytes('"\r\n')] },
    { kind: 'data', dir: 'rx', at: 12, segments: [bytes('AT+CWJAP="lab","'), { secret: 'password' }, bytes('"\r\nWIFI CONNECTED\r\n')] },
    { kind: 'marker', at: 160, text: `${stepMarker({ phase: 'steps', index: 0, name: 'Join "lab"' })} passed` },
    { kind: 'data', dir: 'rx', at: 161, segments: [bytes('+WS_DATA:0,3,\x00\xff\n\r\n')] },
    { kind: 'marker', at: 170, text: stepMarker({ phase: 'teardown', index: 0, name: 'Close' }) },
    { kind: 'data', dir: 'tx', at: 171, segments: [bytes('AT+WSCLOSE=0\r\n')] },
  ]
  const text =
    formatHeader(
      { scenario: 'Echo', file: 'scenarios/tcp-echo.yaml', target: 'the built-in ESP-AT simulator', port: 'simulator', baud: 115200, simulatorVars: true, secrets: ['password'] },
      [
        ['host.ip', '127.0.0.1'],
        ['port', '8765'],
      ],
      ['confirm: nothing'],
    ) + entries.map(formatEntry).join('')

  it('starts with its version line, then a header of JSON values, then a record per line', () => {
    const lines = text.split('\n')
    expect(lines[0]).toBe('atrec 1')
    expect(text).toContain('\nscenario: "Echo"\n')
    expect(text).toContain('\nbaud: 115200\n')
    expect(text).toContain('\nsimulator-vars: true\n')
    expect(text).toContain('\nvar port: "8765"\n')
    expect(text).toContain('    11.500  ->  "AT+CWJAP=\\"lab\\",\\"\\{password}\\"\\r\\n"\n')
    // A record with several lines continues under its data, so that a diff shows the line that changed.
    expect(text).toContain('    12.000  <-  "AT+CWJAP=\\"lab\\",\\"\\{password}\\"\\r\\n"\n                "WIFI CONNECTED\\r\\n"\n')
  })

  it('reads back what was written: header, variables, data and where each write belongs', () => {
    const r = parseRecording(text)
    expect(r.header).toEqual({ scenario: 'Echo', file: 'scenarios/tcp-echo.yaml', target: 'the built-in ESP-AT simulator', port: 'simulator', baud: 115200, simulatorVars: true, secrets: ['password'] })
    expect([...r.vars]).toEqual([
      ['host.ip', '127.0.0.1'],
      ['port', '8765'],
    ])
    const data = entries.filter((e) => e.kind === 'data')
    expect(r.data.map(({ dir, at, segments }) => ({ dir, at, segments }))).toEqual(data.map(({ dir, at, segments }) => ({ dir, at, segments: normalizeSegments(segments) })))
    expect(r.data.map((d) => d.place)).toEqual([undefined, 'step 1 "Join \\"lab\\""', 'step 1 "Join \\"lab\\""', 'step 1 "Join \\"lab\\""', 'teardown step 1 "Close"'])
    expect(text.split('\n')[r.data[1]!.line - 1]).toContain('AT+CWJAP')
  })

  it('rejects another format version and says which one this reads', () => {
    expect(() => parseRecording('atrec 2\n')).toThrow('line 1: this recording is format 2; this version of at-scenario reads format 1')
    expect(() => parseRecording('# at-scenario transcript, format 1\n')).toThrow('not an at-scenario recording')
  })

  it('names the line of a mistake; keys it does not know are skipped', () => {
    expect(() => parseRecording('atrec 1\nbaud: fast\n')).toThrow(/^line 2: the value of `baud` is not JSON/)
    expect(() => parseRecording('atrec 1\nbaud: "fast"\n')).toThrow('line 2: `baud` has the wrong type')
    expect(() => parseRecording('atrec 1\n  1.0  ->  "AT\\r\\n"\nport: "x"\n')).toThrow('line 3: expected `<ms>')
    expect(() => parseRecording('atrec 1\n  1.0  ==  step 1 "x"\n       "OK"\n')).toThrow('line 3: a continuation line must follow')
    expect(() => parseRecording('atrec 1\n  1.0  <-  "OK\\z"\n')).toThrow('line 2: unknown escape')
    expect(parseRecording('atrec 1\ncolour: "blue"\n  1.0  <-  "OK"\n').data).toHaveLength(1)
    try {
      parseRecording('atrec 1\n\n# comment\nport: simulator\n')
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(RecordingFormatError)
      expect((e as RecordingFormatError).line).toBe(4)
    }
  })

  it('has a marker for the lines of an imported log', () => {
    const r = parseRecording(`atrec 1\n${formatEntry({ kind: 'marker', at: 0, text: logLineMarker(7, 'AT+GMR') })}${formatEntry({ kind: 'data', dir: 'tx', at: 0, segments: [bytes('AT+GMR\r\n')] })}`)
    expect(r.data[0]!.place).toBe('log line 7 "AT+GMR"')
  })
})
