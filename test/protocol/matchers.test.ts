import { describe, expect, it } from 'vitest'
import type { FrameRecord } from '../../src/protocol/framer.ts'
import { Inbox, toEntry } from '../../src/protocol/inbox.ts'
import { dataMatcher, lineMatcher, regexMatcher } from '../../src/protocol/matchers.ts'
import { bin } from './helpers.ts'

let seq = 0
const entry = (record: FrameRecord) => toEntry(record, seq++, 0)
const lineEntry = (text: string) => entry({ kind: 'line', text })
const dataEntry = (link: number, bytes: string) => entry({ kind: 'data', framed: 'ws', header: { text: `+WS_DATA:${link},${bytes.length},`, length: bytes.length, link }, link, bytes: bin(bytes), offset: 0, unsolicited: true })

describe('lineMatcher', () => {
  it('matches the whole line exactly, never the echo', () => {
    const m = lineMatcher('OK')
    expect(m.offer(lineEntry('OK')).kind).toBe('match')
    // A trailing space (seen in a posted device log) is tolerated, with a note; anything else is not.
    expect(m.offer(lineEntry('OK '))).toMatchObject({ kind: 'match', note: expect.stringContaining('trailing space') as unknown })
    expect(m.offer(lineEntry(' OK')).kind).toBe('no')
    expect(m.offer(lineEntry('SEND OK')).kind).toBe('no')
    expect(m.offer(entry({ kind: 'echo', text: 'OK' })).kind).toBe('no')
  })

  it('> is the prompt', () => {
    expect(lineMatcher('>').offer(entry({ kind: 'prompt' })).kind).toBe('match')
  })

  it('matches a received +WS_DATA by its text, and needs its link', () => {
    const m = lineMatcher('+WS_DATA:1,4,test')
    expect(m.links).toEqual([{ kind: 'ws', link: 1 }])
    expect(m.offer(dataEntry(1, 'test')).kind).toBe('match')
    expect(m.offer(dataEntry(0, 'test')).kind).toBe('no')
    expect(lineMatcher('+WS_CONNECTED:1').links).toEqual([])
  })
})

describe('regexMatcher', () => {
  it('returns named groups as captures, leaving out groups that did not take part', () => {
    const outcome = regexMatcher(/^\+CWJAP:(?<code>\d)(?<extra>x)?$/).offer(lineEntry('+CWJAP:3'))
    expect(outcome).toEqual({ kind: 'match', captures: { code: '3' } })
  })

  it('is stateless even with the g and y flags', () => {
    const m = regexMatcher(/OK/gy)
    expect(m.offer(lineEntry('OK')).kind).toBe('match')
    expect(m.offer(lineEntry('OK')).kind).toBe('match')
    expect(m.label).toBe('/OK/gy')
  })

  it('never matches the echo', () => {
    expect(regexMatcher(/^AT/).offer(entry({ kind: 'echo', text: 'AT+GMR' })).kind).toBe('no')
  })
})

describe('dataMatcher', () => {
  it('names every chunk of the match, in order', () => {
    const m = dataMatcher(bin('abc'), { link: 0 }, 'abc')
    const a = dataEntry(0, 'a')
    const other = dataEntry(1, 'b')
    const b = dataEntry(0, 'b')
    const c = dataEntry(0, 'c')
    expect(m.offer(a)).toEqual({ kind: 'partial', fresh: true })
    expect(m.offer(lineEntry('WIFI GOT IP')).kind).toBe('no')
    expect(m.offer(other).kind).toBe('no')
    expect(m.offer(b).kind).toBe('partial')
    expect(m.offer(c)).toEqual({ kind: 'match', seqs: [a.seq, b.seq, c.seq] })
  })

  it('reset forgets a run in progress', () => {
    const m = dataMatcher(bin('ab'), { link: 0 }, 'ab')
    m.offer(dataEntry(0, 'a'))
    m.reset()
    expect(m.offer(dataEntry(0, 'b')).kind).toBe('no')
  })

  it('compares bytes, not text', () => {
    const m = dataMatcher(Uint8Array.from([0xff, 0xfe]), {}, 'ff fe')
    expect(m.links).toEqual([])
    expect(m.offer(dataEntry(2, '\xff\xfd')).kind).toBe('no')
    expect(m.offer(dataEntry(2, '\xff\xfe')).kind).toBe('match')
  })

  it('works on a view into a larger buffer', () => {
    const backing = bin('xxtestxx')
    const m = dataMatcher(backing.subarray(2, 6), { link: 0 }, 'test')
    expect(m.offer(dataEntry(0, 'test')).kind).toBe('match')
  })
})

describe('toEntry and Inbox', () => {
  it('gives each record its kind and its text', () => {
    expect(toEntry({ kind: 'line', text: 'ERROR' }, 1, 5)).toMatchObject({ seq: 1, at: 5, kind: 'final-failure', text: 'ERROR' })
    expect(toEntry({ kind: 'echo', text: 'AT' }, 2, 0)).toMatchObject({ kind: 'echo', text: 'AT' })
    expect(toEntry({ kind: 'prompt' }, 3, 0)).toMatchObject({ kind: 'prompt', text: '>' })
    expect(toEntry({ kind: 'data', framed: 'ws', header: { text: '+WS_DATA:0,5,', length: 5, link: 0 }, link: 0, bytes: bin('\xEF\xBB\xBFhi'), offset: 0, unsolicited: true }, 4, 0)).toMatchObject({ kind: 'data', text: '+WS_DATA:0,5,\uFEFFhi' })
  })

  it('since() finds entries by seq; remove() takes them out; the oldest go when it is full', () => {
    const inbox = new Inbox(4)
    for (let i = 0; i < 4; i++) inbox.add(toEntry({ kind: 'line', text: `L${i}` }, i * 2, 0))
    expect(inbox.since(3).map((e) => e.text)).toEqual(['L2', 'L3'])
    expect(inbox.since(4).map((e) => e.text)).toEqual(['L2', 'L3'])
    inbox.remove(new Set([4]))
    expect(inbox.since(0).map((e) => e.text)).toEqual(['L0', 'L1', 'L3'])
    inbox.add(toEntry({ kind: 'line', text: 'L4' }, 8, 0))
    inbox.add(toEntry({ kind: 'line', text: 'L5' }, 10, 0))
    expect(inbox.size).toBeLessThanOrEqual(4)
    expect(inbox.since(0).map((e) => e.text).at(-1)).toBe('L5')
  })
})

describe('Inbox bound', () => {
  it('a tiny inbox still keeps the newest entry', () => {
    const inbox = new Inbox(1)
    inbox.add(toEntry({ kind: 'line', text: 'A' }, 0, 0))
    inbox.add(toEntry({ kind: 'line', text: 'B' }, 1, 0))
    expect(inbox.since(0).map((e) => e.text)).toEqual(['B'])
  })
})
