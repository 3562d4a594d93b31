import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { formatEntry, formatHeader, stepMarker } from '../../src/replay/atrec-format.ts'
import type { RecordEntry } from '../../src/replay/atrec-format.ts'
import { parseRecording } from '../../src/replay/atrec-reader.ts'
import { ReplayDeviationError, ReplayLink } from '../../src/replay/replay-link.ts'

const b = (s: string) => ({ bytes: Buffer.from(s, 'latin1') })

/** Boot banner at 2 ms; AT+CWJAP written at 21 ms, echoed at 22 ms, joined 150 ms later; a URC 1 s after the last write. */
function link(speed: number): ReplayLink {
  const entries: RecordEntry[] = [
    { kind: 'data', dir: 'rx', at: 2, segments: [b('\r\nready\r\n')] },
    { kind: 'marker', at: 20, text: stepMarker({ phase: 'steps', index: 0, name: 'Join' }) },
    { kind: 'data', dir: 'tx', at: 21, segments: [b('AT+CWJAP="lab","'), { secret: 'password' }, b('"\r\n')] },
    { kind: 'data', dir: 'rx', at: 22, segments: [b('AT+CWJAP="lab","'), { secret: 'password' }, b('"\r\n')] },
    { kind: 'data', dir: 'rx', at: 172, segments: [b('WIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n')] },
    { kind: 'data', dir: 'tx', at: 200, segments: [b('AT+CWMODE?\r\n')] },
    { kind: 'data', dir: 'rx', at: 201, segments: [b('AT+CWMODE?\r\n+CWMODE:1\r\n\r\nOK\r\n')] },
    { kind: 'data', dir: 'rx', at: 1200, segments: [b('WIFI DISCONNECT\r\n')] },
  ]
  const recording = parseRecording(formatHeader({ target: 'the built-in ESP-AT simulator' }) + entries.map(formatEntry).join(''))
  return new ReplayLink(recording, { speed, file: '/tmp/run.atrec' })
}

/** Collects what the device plays, with the fake clock's time of each piece. */
function listen(l: ReplayLink): { got: { at: number; text: string }[]; closed: (Error | undefined)[] } {
  const got: { at: number; text: string }[] = []
  const closed: (Error | undefined)[] = []
  const t0 = performance.now()
  l.onData((bytes) => got.push({ at: performance.now() - t0, text: Buffer.from(bytes).toString('latin1') }))
  l.onClose((e) => closed.push(e))
  return { got, closed }
}

describe('ReplayLink', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('describes itself with the recording and where it was made', () => {
    expect(link(1).description).toBe('a replay of run.atrec (recorded on the built-in ESP-AT simulator)')
  })

  it('plays output nothing was written for at its recorded time from the start, and replies only after the host wrote', async () => {
    const l = link(1)
    const { got } = listen(l)
    await vi.advanceTimersByTimeAsync(1)
    expect(got).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(got).toEqual([{ at: 2, text: '\r\nready\r\n' }])
    // The echo waits for the write however long the host takes.
    await vi.advanceTimersByTimeAsync(5000)
    expect(got).toHaveLength(1)
  })

  it('answers a write after the recorded delay, and output after it relative to that write', async () => {
    const l = link(1)
    const { got } = listen(l)
    await vi.advanceTimersByTimeAsync(100)
    await l.write(Buffer.from('AT+CWJAP="lab","hunter2"\r\n'))
    await vi.advanceTimersByTimeAsync(1000)
    expect(got.slice(1)).toEqual([
      // The echo holds what the host wrote in place of the secret this time.
      { at: 101, text: 'AT+CWJAP="lab","hunter2"\r\n' },
      { at: 251, text: 'WIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n' },
    ])
    await l.write(Buffer.from('AT+CWMODE?\r\n'))
    await vi.advanceTimersByTimeAsync(1000)
    expect(got.slice(3)).toEqual([
      { at: 1101, text: 'AT+CWMODE?\r\n+CWMODE:1\r\n\r\nOK\r\n' },
      // Unsolicited: 1000 ms after the write it followed in the recording.
      { at: 2100, text: 'WIFI DISCONNECT\r\n' },
    ])
  })

  it('--replay-speed scales the recorded delays', async () => {
    const fast = link(2)
    const a = listen(fast)
    await fast.write(Buffer.from('AT+CWJAP="lab","x"\r\n'))
    await vi.advanceTimersByTimeAsync(500)
    expect(a.got.map((g) => g.text.slice(0, 8))).toEqual(['\r\nready\r', 'AT+CWJAP', 'WIFI CON'])
    expect(a.got[0]!.at).toBe(1)
    // The echo is due at 0.5 ms but comes after the banner before it; the join 150 / 2 ms after the write.
    expect(a.got[1]!.at).toBeLessThanOrEqual(2)
    expect(a.got[2]!.at).toBe(75)
  })

  it('--replay-speed 0 plays everything as soon as the host has written what comes before it', async () => {
    vi.useRealTimers()
    const instant = link(0)
    const started = performance.now()
    const all = new Promise<string[]>((resolve) => {
      const got: string[] = []
      instant.onData((bytes) => {
        got.push(Buffer.from(bytes).toString('latin1'))
        if (got.length === 5) resolve(got)
      })
    })
    await instant.write(Buffer.from('AT+CWJAP="lab","x"\r\nAT+CWMODE?\r\n'))
    expect((await all).at(-1)).toBe('WIFI DISCONNECT\r\n')
    // The recording spans 1.2 s.
    expect(performance.now() - started).toBeLessThan(200)
  })

  it('a deviation closes the link with the reason at once, plays nothing more, and refuses later writes', async () => {
    const l = link(1)
    l.explainDeviations(['hunter2'], [])
    const { got, closed } = listen(l)
    await vi.advanceTimersByTimeAsync(10)
    await l.write(Buffer.from('AT+CWJAP="lab","hunter2",1\r\nAT+CWJAP="lab","hunter2"\r\n'))
    expect(closed).toHaveLength(1)
    expect(closed[0]).toBeInstanceOf(ReplayDeviationError)
    expect(closed[0]!.message).toMatch(/^replay of run\.atrec: the host deviated from the recording at offset 16 of its bytes \(run\.atrec:\d+, step 1 "Join"\)/)
    expect(closed[0]!.message).not.toContain('hunter2')
    await vi.advanceTimersByTimeAsync(5000)
    expect(got).toHaveLength(1)
    await expect(l.write(Buffer.from('AT\r\n'))).rejects.toBe(closed[0])
  })

  it('stops playing when closed', async () => {
    const l = link(1)
    const { got } = listen(l)
    await l.close()
    await vi.advanceTimersByTimeAsync(100)
    expect(got).toEqual([])
    await expect(l.write(Buffer.from('AT\r\n'))).rejects.toThrow('closed')
  })
})
