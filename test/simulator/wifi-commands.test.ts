import { afterEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_PROFILE } from '../../src/simulator/profile.ts'
import type { AccessPoint } from '../../src/simulator/profile.ts'
import { useHarness } from './harness.ts'

const ROUTER: AccessPoint = { ...DEFAULT_PROFILE.accessPoints[0]!, joinDelayMs: 10 }
const JOIN = 'AT+CWJAP="espressif","1234567890"'

const boot = useHarness()
// Registered after the devices' cleanup, so it runs before it: the devices close on real timers.
afterEach(() => vi.useRealTimers())

describe('AT+CWMODE and AT+CWJAP (reference §8.1, §8.2)', () => {
  it('joins the profile\'s router: WIFI CONNECTED, WIFI GOT IP, then OK', async () => {
    const h = await boot()
    expect(await h.command('AT+CWMODE=1')).toBe('AT+CWMODE=1\r\n\r\nOK\r\n')
    expect(await h.command(JOIN)).toBe(`${JOIN}\r\nWIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n`)
    expect(await h.command('AT+CWJAP?')).toBe('AT+CWJAP?\r\n+CWJAP:"espressif","ca:d7:19:d8:a6:44",6,-45,0,1,3,0,1\r\n\r\nOK\r\n')
  })

  it('a wrong password: +CWJAP:2 then ERROR, and no WIFI DISCONNECT for a join that never succeeded', async () => {
    const h = await boot()
    expect(await h.command('AT+CWJAP="espressif","wrong"')).toBe('AT+CWJAP="espressif","wrong"\r\n+CWJAP:2\r\n\r\nERROR\r\n')
    expect(await h.command('AT+CWJAP?')).toBe('AT+CWJAP?\r\n\r\nOK\r\n')
  })

  it('an SSID no access point has: +CWJAP:3; a BSSID that does not match: +CWJAP:3', async () => {
    const h = await boot()
    expect(await h.command('AT+CWJAP="nowhere","1234567890"')).toBe('AT+CWJAP="nowhere","1234567890"\r\n+CWJAP:3\r\n\r\nERROR\r\n')
    expect(await h.command('AT+CWJAP="espressif","1234567890","00:11:22:33:44:55"')).toBe(
      'AT+CWJAP="espressif","1234567890","00:11:22:33:44:55"\r\n+CWJAP:3\r\n\r\nERROR\r\n',
    )
  })

  it('an access point that turns the association down: +CWJAP:4', async () => {
    const h = await boot({ accessPoints: [{ ...ROUTER, rejects: true }] })
    expect(await h.command(JOIN)).toBe(`${JOIN}\r\n+CWJAP:4\r\n\r\nERROR\r\n`)
  })

  it('a join slower than jap_timeout: +CWJAP:1 when the timeout expires', async () => {
    const h = await boot({ accessPoints: [{ ...ROUTER, joinDelayMs: 20_000 }] })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    h.write(`${JOIN},,,,,,3\r\n`)
    await vi.advanceTimersByTimeAsync(2_999)
    expect(h.text()).toBe(`${JOIN},,,,,,3\r\n`)
    await vi.advanceTimersByTimeAsync(1)
    expect(h.text()).toBe(`${JOIN},,,,,,3\r\n+CWJAP:1\r\n\r\nERROR\r\n`)
  })

  it('associated but no address (dhcp: false): set form disconnects before +CWJAP:1, execute form after it', async () => {
    const h = await boot({ accessPoints: [{ ...ROUTER, dhcp: false }] })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    h.write(`${JOIN},,,,,,3\r\n`)
    await vi.advanceTimersByTimeAsync(3_000)
    expect(h.text()).toBe(`${JOIN},,,,,,3\r\nWIFI CONNECTED\r\nWIFI DISCONNECT\r\n+CWJAP:1\r\n\r\nERROR\r\n`)
    h.clear()
    h.write('AT+CWJAP\r\n')
    await vi.advanceTimersByTimeAsync(3_000)
    expect(h.text()).toBe('AT+CWJAP\r\nWIFI CONNECTED\r\n+CWJAP:1\r\nWIFI DISCONNECT\r\n\r\nERROR\r\n')
  })

  it('joining again while connected drops the connection first; the execute form is OK at once when connected', async () => {
    const h = await boot()
    await h.command(JOIN)
    expect(await h.command(JOIN)).toBe(`${JOIN}\r\nWIFI DISCONNECT\r\nWIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n`)
    expect(await h.command('AT+CWJAP')).toBe('AT+CWJAP\r\n\r\nOK\r\n')
  })

  it('needs station mode; AT+CWMODE out of range fails', async () => {
    const h = await boot()
    await h.command('AT+CWMODE=2')
    expect(await h.command(JOIN)).toBe(`${JOIN}\r\n\r\nERROR\r\n`)
    expect(await h.command('AT+CWMODE=4')).toBe('AT+CWMODE=4\r\n\r\nERROR\r\n')
    expect(await h.command('AT+CWMODE?')).toBe('AT+CWMODE?\r\n+CWMODE:2\r\n\r\nOK\r\n')
  })

  it('leaving station mode disconnects (WIFI DISCONNECT)', async () => {
    const h = await boot()
    await h.command(JOIN)
    expect(await h.command('AT+CWMODE=2')).toBe('AT+CWMODE=2\r\nWIFI DISCONNECT\r\n\r\nOK\r\n')
  })

  it('the stored access point is joined after a reset (auto-connect): URCs after ready', async () => {
    const h = await boot()
    await h.command(JOIN)
    h.clear()
    h.write('AT+RST\r\n')
    await h.until('WIFI GOT IP\r\n')
    expect(h.text()).toBe('AT+RST\r\n\r\nOK\r\n\r\nready\r\nWIFI CONNECTED\r\nWIFI GOT IP\r\n')
  })
})

describe('AT+CWQAP, AT+CWSTATE?, AT+CIPSTA?, AT+CIFSR (reference §8.3-§8.5)', () => {
  it('station state through a join and a quit', async () => {
    const h = await boot()
    expect(await h.command('AT+CWSTATE?')).toBe('AT+CWSTATE?\r\n+CWSTATE:0,""\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPSTA?')).toBe('AT+CIPSTA?\r\n+CIPSTA:ip:"0.0.0.0"\r\n+CIPSTA:gateway:"0.0.0.0"\r\n+CIPSTA:netmask:"0.0.0.0"\r\n\r\nOK\r\n')
    await h.command(JOIN)
    expect(await h.command('AT+CWSTATE?')).toBe('AT+CWSTATE?\r\n+CWSTATE:2,"espressif"\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPSTA?')).toBe(
      'AT+CIPSTA?\r\n+CIPSTA:ip:"192.168.200.134"\r\n+CIPSTA:gateway:"192.168.200.1"\r\n+CIPSTA:netmask:"255.255.255.0"\r\n\r\nOK\r\n',
    )
    expect(await h.command('AT+CIFSR')).toBe('AT+CIFSR\r\n+CIFSR:STAIP,"192.168.200.134"\r\n+CIFSR:STAMAC,"24:0a:c4:00:00:01"\r\n\r\nOK\r\n')
    expect(await h.command('AT+CWQAP')).toBe('AT+CWQAP\r\nWIFI DISCONNECT\r\n\r\nOK\r\n')
    expect(await h.command('AT+CWQAP')).toBe('AT+CWQAP\r\n\r\nOK\r\n')
    expect(await h.command('AT+CWSTATE?')).toBe('AT+CWSTATE?\r\n+CWSTATE:4,"espressif"\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIFSR')).toBe('AT+CIFSR\r\n+CIFSR:STAIP,"0.0.0.0"\r\n+CIFSR:STAMAC,"24:0a:c4:00:00:01"\r\n\r\nOK\r\n')
  })

  it('AT+CIFSR in SoftAP+station mode lists the SoftAP first; in mode 0 it fails', async () => {
    const h = await boot()
    await h.command('AT+CWMODE=3')
    expect(await h.command('AT+CIFSR')).toBe(
      'AT+CIFSR\r\n+CIFSR:APIP,"192.168.4.1"\r\n+CIFSR:APMAC,"24:0a:c4:00:00:02"\r\n+CIFSR:STAIP,"0.0.0.0"\r\n+CIFSR:STAMAC,"24:0a:c4:00:00:01"\r\n\r\nOK\r\n',
    )
    await h.command('AT+CWMODE=0')
    expect(await h.command('AT+CIFSR')).toBe('AT+CIFSR\r\n\r\nERROR\r\n')
  })
})
