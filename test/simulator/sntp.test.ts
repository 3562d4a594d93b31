import { afterEach, describe, expect, it, vi } from 'vitest'
import { asctime, timezoneOffsetMinutes } from '../../src/simulator/clock.ts'
import { NOV_13_2024, useHarness } from './harness.ts'

const JOIN = 'AT+CWJAP="espressif","1234567890"'

const boot = useHarness()
// Registered after the devices' cleanup, so it runs before it: the devices close on real timers.
afterEach(() => vi.useRealTimers())

describe('asctime', () => {
  it('pads the day of month with a space to two characters', () => {
    expect(asctime(0)).toBe('Thu Jan  1 00:00:00 1970')
    expect(asctime(128_000)).toBe('Thu Jan  1 00:02:08 1970')
    expect(asctime(Date.UTC(2024, 10, 13, 17, 0, 15))).toBe('Wed Nov 13 17:00:15 2024')
  })
})

describe('time zones of AT+CIPSNTPCFG (reference §9.1)', () => {
  it('whole hours in -12..14, otherwise [+|-]hhmm', () => {
    expect([8, 800, -5, -500, 530, 1245, 15, 14, -12, -1245].map(timezoneOffsetMinutes)).toEqual([480, 480, -300, -300, 330, 765, 15, 840, -720, -765])
    expect([1500, 99, -1300, 860].map(timezoneOffsetMinutes)).toEqual([undefined, undefined, undefined, undefined])
  })
})

describe('SNTP (reference §9)', () => {
  it('before any sync the clock counts from the epoch (1970), in the configured time zone', async () => {
    let host = 1_000_000
    const h = await boot({}, { hostClock: () => host })
    host += 128_000
    expect(await h.command('AT+CIPSNTPTIME?')).toBe('AT+CIPSNTPTIME?\r\n+CIPSNTPTIME:Thu Jan  1 00:02:08 1970\r\nOK\r\n')
    await h.command('AT+CIPSNTPCFG=0,530')
    expect(await h.command('AT+CIPSNTPTIME?')).toBe('AT+CIPSNTPTIME?\r\n+CIPSNTPTIME:Thu Jan  1 05:32:08 1970\r\nOK\r\n')
  })

  it('no sync before the station has an address: +TIME_UPDATED comes after WIFI GOT IP', async () => {
    const h = await boot({ sntp: { time: NOV_13_2024 } }, { hostClock: () => 0 })
    await h.command('AT+CIPSNTPCFG=1,0')
    h.clear()
    h.write(`${JOIN}\r\n`)
    await h.until('+TIME_UPDATED\r\n')
    expect(h.text()).toBe(`${JOIN}\r\nWIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n+TIME_UPDATED\r\n`)
    expect(await h.command('AT+CIPSNTPTIME?')).toBe('AT+CIPSNTPTIME?\r\n+CIPSNTPTIME:Wed Nov 13 09:00:15 2024\r\nOK\r\n')
  })

  it('servers that never answer: no +TIME_UPDATED, the clock stays in 1970', async () => {
    const h = await boot({ sntp: { reachable: false, syncDelayMs: 50 } }, { hostClock: () => 0 })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    h.write(`${JOIN}\r\n`)
    await vi.advanceTimersByTimeAsync(20)
    await h.command('AT+CIPSNTPCFG=1,8')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(await h.command('AT+CIPSNTPTIME?')).toBe('AT+CIPSNTPTIME?\r\n+CIPSNTPTIME:Thu Jan  1 08:00:00 1970\r\nOK\r\n')
  })

  it('AT+CIPSNTPCFG? reads back what was set: the default servers, the time zone as given, then cleared by enable=0', async () => {
    const h = await boot()
    expect(await h.command('AT+CIPSNTPCFG?')).toBe('AT+CIPSNTPCFG?\r\n+CIPSNTPCFG:0,0\r\n\r\nOK\r\n')
    await h.command('AT+CIPSNTPCFG=1,015')
    expect(await h.command('AT+CIPSNTPCFG?')).toBe('AT+CIPSNTPCFG?\r\n+CIPSNTPCFG:1,15,"cn.ntp.org.cn","ntp.sjtu.edu.cn","us.pool.ntp.org"\r\n\r\nOK\r\n')
    await h.command('AT+CIPSNTPCFG=1,8,"cn.ntp.org.cn","ntp.sjtu.edu.cn"')
    expect(await h.command('AT+CIPSNTPCFG?')).toBe('AT+CIPSNTPCFG?\r\n+CIPSNTPCFG:1,8,"cn.ntp.org.cn","ntp.sjtu.edu.cn"\r\n\r\nOK\r\n')
    await h.command('AT+CIPSNTPCFG=0')
    expect(await h.command('AT+CIPSNTPCFG?')).toBe('AT+CIPSNTPCFG?\r\n+CIPSNTPCFG:0,8\r\n\r\nOK\r\n')
  })

  it('refuses a time zone out of range, an empty or too long server name, a fourth server', async () => {
    const h = await boot()
    for (const bad of ['AT+CIPSNTPCFG=1,1500', 'AT+CIPSNTPCFG=2', `AT+CIPSNTPCFG=1,8,"${'x'.repeat(33)}"`, 'AT+CIPSNTPCFG=1,8,"a","b","c","d"', 'AT+CIPSNTPCFG=1,8,""']) {
      expect(await h.command(bad)).toBe(`${bad}\r\n\r\nERROR\r\n`)
    }
  })

  it('AT+CIPSNTPINTV: 3600 s by default, 15..4294967', async () => {
    const h = await boot()
    expect(await h.command('AT+CIPSNTPINTV?')).toBe('AT+CIPSNTPINTV?\r\n+CIPSNTPINTV:3600\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPSNTPINTV=14')).toBe('AT+CIPSNTPINTV=14\r\n\r\nERROR\r\n')
    expect(await h.command('AT+CIPSNTPINTV=15')).toBe('AT+CIPSNTPINTV=15\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPSNTPINTV?')).toBe('AT+CIPSNTPINTV?\r\n+CIPSNTPINTV:15\r\n\r\nOK\r\n')
  })

  it('the clock survives a software reset (RTC), the SNTP settings do not', async () => {
    const h = await boot({ sntp: { time: NOV_13_2024 } }, { hostClock: () => 0 })
    await h.command(JOIN)
    await h.command('AT+CIPSNTPCFG=1,0')
    await h.until('+TIME_UPDATED')
    h.write('AT+RST\r\n')
    await h.until('ready\r\n')
    expect(await h.command('AT+CIPSNTPTIME?')).toBe('AT+CIPSNTPTIME?\r\n+CIPSNTPTIME:Wed Nov 13 09:00:15 2024\r\nOK\r\n')
    expect(await h.command('AT+CIPSNTPCFG?')).toBe('AT+CIPSNTPCFG?\r\n+CIPSNTPCFG:0,0\r\n\r\nOK\r\n')
  })
})
