import { describe, expect, it } from 'vitest'
import { formatDuration, junitSeconds } from '../../src/report/durations.ts'
import { describeWait } from '../../src/report/wait-status.ts'

describe('durations', () => {
  it('milliseconds below 10 s, then tenths of seconds, then minutes', () => {
    expect(formatDuration(2.4)).toBe('2 ms')
    expect(formatDuration(9_999)).toBe('9999 ms')
    expect(formatDuration(12_345)).toBe('12.3 s')
    expect(formatDuration(125_000)).toBe('2m 05s')
  })

  it('JUnit time in seconds with millisecond precision', () => {
    expect(junitSeconds(3.25)).toBe('0.003')
    expect(junitSeconds(1500)).toBe('1.500')
  })

  it('a running step says what it waits for and the time left', () => {
    expect(describeWait({ kind: 'send', expected: ['WIFI CONNECTED', 'OK'], waitMs: 20_000 }, 5_000)).toBe('waiting for `WIFI CONNECTED`, `OK` (15.0 s left)')
    expect(describeWait({ kind: 'wait', expected: ['+WS_DATA:0,4,test'], waitMs: 5_000 }, 750)).toBe('waiting for `+WS_DATA:0,4,test` (4.3 s left)')
    expect(describeWait({ kind: 'sleep', expected: [], waitMs: 500 }, 800)).toBe('sleeping (0.0 s left)')
  })
})
