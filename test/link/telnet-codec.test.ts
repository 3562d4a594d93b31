import { describe, expect, it } from 'vitest'
import { DO, escapeData, IAC, negotiation, SB, SE, subnegotiation, TelnetDecoder, WILL } from '../../src/link/telnet-codec.ts'

const feed = (chunks: number[][]) => {
  const d = new TelnetDecoder()
  return chunks.flatMap((c) => d.push(Uint8Array.from(c)))
}
const bytesOf = (events: ReturnType<typeof feed>) =>
  events.flatMap((e) => (e.kind === 'data' ? [...e.bytes] : []))

describe('telnet codec', () => {
  it('doubles 0xFF in data and only there', () => {
    expect([...escapeData(Uint8Array.of(1, 0xff, 2, 0xff, 0xff))]).toEqual([1, 0xff, 0xff, 2, 0xff, 0xff, 0xff, 0xff])
    const plain = Uint8Array.of(1, 2, 3)
    expect(escapeData(plain)).toBe(plain)
  })

  it('decodes doubled 0xFF back to one, whatever the chunking', () => {
    const wire = [...escapeData(Uint8Array.of(0x41, 0xff, 0x00, 0xff, 0x0d, 0x0a))]
    const whole = bytesOf(feed([wire]))
    expect(whole).toEqual([0x41, 0xff, 0x00, 0xff, 0x0d, 0x0a])
    for (let cut = 0; cut <= wire.length; cut++) expect(bytesOf(feed([wire.slice(0, cut), wire.slice(cut)]))).toEqual(whole)
    expect(bytesOf(feed(wire.map((b) => [b])))).toEqual(whole)
  })

  it('reports negotiations and subnegotiations between data, with 0xFF inside a subnegotiation', () => {
    const sb = [...subnegotiation(44, Uint8Array.of(101, 0x00, 0x01, 0xc2, 0xff))]
    expect(sb).toEqual([IAC, SB, 44, 101, 0x00, 0x01, 0xc2, 0xff, 0xff, IAC, SE])
    const events = feed([[0x61, ...negotiation(DO, 44), 0x62, ...sb, 0x63]].map((c) => c))
    expect(events).toEqual([
      { kind: 'data', bytes: Uint8Array.of(0x61) },
      { kind: 'negotiation', verb: DO, option: 44 },
      { kind: 'data', bytes: Uint8Array.of(0x62) },
      { kind: 'subnegotiation', option: 44, payload: Uint8Array.of(101, 0x00, 0x01, 0xc2, 0xff) },
      { kind: 'data', bytes: Uint8Array.of(0x63) },
    ])
    const split = feed([[...negotiation(WILL, 3), ...sb].slice(0, 5), [...negotiation(WILL, 3), ...sb].slice(5)])
    expect(split.map((e) => e.kind)).toEqual(['negotiation', 'subnegotiation'])
  })
})
