import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { EngineEvent } from '../../src/engine/events.ts'
import { createPlainProgress } from '../../src/report/plain.ts'
import { prerequisite, step } from './builders.ts'

function setup(color = false) {
  let text = ''
  let now = 0
  const progress = createPlainProgress({ out: { write: (t: string) => (text += t) }, color, clock: () => now })
  return { progress, lines: () => text.split('\n').filter(Boolean), advance: (ms: number) => ((now += ms), vi.advanceTimersByTime(ms)) }
}

const runStart: EngineEvent = {
  type: 'run:start',
  scenario: { name: 'Demo', file: 'scenarios/demo.yaml' },
  target: 'the built-in ESP-AT simulator',
  prerequisites: [
    { index: 0, name: 'Echo server' },
    { index: 1, name: 'TLS server' },
  ],
  steps: [],
}

describe('plain progress', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('a line per prerequisite and step when it ends, with its duration; skipped ones too', () => {
    const { progress, lines } = setup()
    progress.listener(runStart)
    progress.listener({ type: 'prerequisite:start', index: 0, name: 'Echo server', command: [] })
    progress.listener({ type: 'prerequisite:end', result: prerequisite({ status: 'failed', message: 'exited with code 1', hint: 'install it' }) })
    progress.listener({ type: 'step:end', result: step({ status: 'skipped' }) })
    progress.listener({ type: 'step:end', result: step({ phase: 'teardown', name: 'Close', durationMs: 12.4 }) })
    progress.listener({ type: 'step:end', result: step({ status: 'errored', durationMs: 301, failure: { reason: 'timeout', message: 'timed out after 300 ms' } }) })
    progress.listener({ type: 'step:end', result: step({ status: 'failed', optional: true, failure: { reason: 'unexpected-result', message: 'ERROR' } }) })
    progress.listener({ type: 'step:end', result: step({ attempts: 2 }) })
    expect(lines()).toEqual([
      '✖ Start Echo server: exited with code 1',
      '↓ Start TLS server (skipped)',
      '↓ Set Wi-Fi mode to station (skipped)',
      '✔ teardown: Close (12 ms)',
      '✖ Set Wi-Fi mode to station (301 ms): timed out after 300 ms',
      '⚠ Set Wi-Fi mode to station (3 ms): optional step failed: ERROR',
      '✔ Set Wi-Fi mode to station (3 ms, 2 attempts)',
    ])
  })

  it('a long step says what it waits for and the time left after a second, again every ten seconds, and stops when it ends', () => {
    const { progress, lines, advance } = setup()
    progress.listener({ ...runStart, prerequisites: [] })
    progress.listener({ type: 'step:start', phase: 'steps', index: 0, name: 'Receive', kind: 'wait', expected: ['+WS_DATA:0,4,test'], waitMs: 120_000 })
    advance(999)
    expect(lines()).toEqual([])
    advance(1)
    advance(10_000)
    progress.listener({ type: 'step:end', result: step({ name: 'Receive', durationMs: 11_500 }) })
    advance(60_000)
    expect(lines()).toEqual([
      '❯ Receive: waiting for `+WS_DATA:0,4,test` (119.0 s left)',
      '❯ Receive: waiting for `+WS_DATA:0,4,test` (109.0 s left)',
      '✔ Receive (11.5 s)',
    ])
  })

  it('a retry starts the countdown again', () => {
    const { progress, lines, advance } = setup()
    progress.listener({ ...runStart, prerequisites: [] })
    progress.listener({ type: 'step:start', phase: 'steps', index: 0, name: 'Join', kind: 'send', expected: ['OK'], waitMs: 5_000 })
    advance(1_000)
    advance(3_000)
    progress.listener({ type: 'step:retry', phase: 'steps', index: 0, attempt: 2, failure: { reason: 'unexpected-result', message: 'the device answered `ERROR`' } })
    advance(1_000)
    expect(lines()).toEqual([
      '❯ Join: waiting for `OK` (4.0 s left)',
      '↻ Join: attempt 1 the device answered `ERROR`; trying again',
      '❯ Join: waiting for `OK` (4.0 s left)',
    ])
  })

  it('no escape codes unless colours are asked for', () => {
    const plain = setup(false)
    plain.progress.listener({ type: 'step:end', result: step() })
    // eslint-disable-next-line no-control-regex
    expect(plain.lines().join('\n')).not.toMatch(/\u001b/)
    const colored = setup(true)
    colored.progress.listener({ type: 'step:end', result: step() })
    expect(colored.lines()[0]).toBe('\u001b[32m✔\u001b[39m Set Wi-Fi mode to station \u001b[2m(3 ms)\u001b[22m')
  })
})

describe('failure text: lines as a person can read them', () => {
  it('shows trailing spaces, which a terminal would hide', async () => {
    const { formatLines } = await import('../../src/report/failure-text.ts')
    expect(formatLines([{ at: 12, dir: 'rx', kind: 'final-success', text: 'OK  ' }], 10)).toEqual(['    +2ms ← OK␠␠  (2 trailing spaces)'])
    expect(formatLines([{ at: 12, dir: 'rx', kind: 'final-success', text: 'OK' }], 10)).toEqual(['    +2ms ← OK'])
  })
})
