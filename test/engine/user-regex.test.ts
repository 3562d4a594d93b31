import { describe, expect, it } from 'vitest'
import { userRegexMatcher, regexPlacement } from '../../src/engine/user-regex.ts'
import { Exchange } from '../../src/protocol/exchange.ts'
import type { ByteLink } from '../../src/protocol/session.ts'
import { AtSession } from '../../src/protocol/session.ts'

/** A device that says what the test tells it to, when it tells it. */
class DeviceLink implements ByteLink {
  private data: ((bytes: Uint8Array) => void) | undefined
  async write(): Promise<void> {}
  onData(listener: (bytes: Uint8Array) => void): void {
    this.data = listener
  }
  onClose(): void {}
  says(text: string): void {
    this.data?.(Buffer.from(text, 'latin1'))
  }
}

async function waitFor(pattern: string, flags: string, lines: string[], timeoutMs: number, signal?: AbortSignal) {
  const link = new DeviceLink()
  const session = new AtSession(link)
  const exchange = new Exchange({ mode: 'wait', matchers: [userRegexMatcher(pattern, flags, `/${pattern}/${flags}`)], startSeq: 0 })
  const started = performance.now()
  const running = session.run(exchange, timeoutMs, signal)
  for (const line of lines) link.says(`${line}\r\n`)
  const outcome = await running
  return { outcome, exchange, ms: performance.now() - started }
}

describe('a scenario regular expression against hostile device lines', () => {
  it('runs on V8 linear engine when it can, on the spot when it has no quantifier, else in a worker', () => {
    expect(regexPlacement('(a+)+$', '')).toBe('linear')
    expect(regexPlacement('^\\+CWJAP:"(?<ssid>[^"]+)"', '')).toBe('linear')
    expect(regexPlacement('^OK$', 'i')).toBe('bounded')
    expect(regexPlacement('(?=ab)a', '')).toBe('bounded')
    expect(regexPlacement('(a+)+$', 'i')).toBe('worker')
    expect(regexPlacement('(a)\\1+', '')).toBe('worker')
  })

  it('matches in a worker with its named groups, line after line, in order', async () => {
    const { outcome, exchange } = await waitFor('^\\+cwjap:"(?<ssid>[^"]+)"', 'i', ['busy p...', '+CWJAP:"lab","aa:bb"', '+CWJAP:"other"'], 5000)
    expect(outcome).toEqual({ kind: 'settled' })
    expect(exchange.captures).toEqual({ ssid: 'lab' })
  })

  for (const [how, flags] of [
    ['on the linear engine', ''],
    ['in a worker', 'i'],
  ] as const) {
    it(`/(a+)+$/${flags} on 30 \`a\` and a \`!\` (${how}) leaves the event loop free: the step times out on time, and an abort ends it`, async () => {
      const bait = `${'a'.repeat(30)}!`
      let ticks = 0
      const ticker = setInterval(() => ticks++, 10)
      try {
        const timedOut = await waitFor('(a+)+$', flags, [bait], 400)
        expect(timedOut.outcome).toEqual({ kind: 'timeout' })
        expect(timedOut.ms).toBeLessThan(5000)
        // The loop ran its timers while the pattern was being matched.
        expect(ticks).toBeGreaterThan(5)
        const abort = new AbortController()
        setTimeout(() => abort.abort(), 100)
        const aborted = await waitFor('(a+)+$', flags, [bait], 60_000, abort.signal)
        expect(aborted.outcome).toEqual({ kind: 'aborted' })
        expect(aborted.ms).toBeLessThan(5000)
      } finally {
        clearInterval(ticker)
      }
    })
  }

  it('says in the timeout what the worker was still doing', async () => {
    const matcher = userRegexMatcher('(a+)+$', 'i', '/(a+)+$/i')
    const link = new DeviceLink()
    const session = new AtSession(link)
    const exchange = new Exchange({ mode: 'wait', matchers: [matcher], startSeq: 0 })
    let busy: string | undefined
    const running = session.run(exchange, 300)
    link.says(`${'a'.repeat(30)}!\r\n`)
    setTimeout(() => (busy = matcher.busy?.()), 200)
    expect(await running).toEqual({ kind: 'timeout' })
    expect(busy).toBe('the regular expression was still being matched against a line of 31 characters')
    // Still said after the step ended (the worker was stopped then), for the timeout's message.
    expect(matcher.busy?.()).toBe(busy)
  })
})
