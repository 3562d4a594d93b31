import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_PROFILE } from '../../src/simulator/profile.ts'
import { Harness, NOV_13_2024, until } from './harness.ts'
import { startWsServer } from './servers.ts'
import type { TestWsServer } from './servers.ts'

/**
 * The worked byte streams of the protocol reference (§11), byte for byte: what the host writes,
 * and exactly what the simulated device answers. Echo on, SYSLOG off unless stated.
 */
describe('reference §11 worked byte streams', () => {
  let h: Harness | undefined
  let server: TestWsServer | undefined
  afterEach(async () => {
    await h?.close()
    await server?.close()
    h = undefined
    server = undefined
  })

  async function joined(): Promise<Harness> {
    const device = await Harness.boot()
    await device.command('AT+CWJAP="espressif","1234567890"')
    device.clear()
    return device
  }

  it('open, send, echo back, close cleanly', async () => {
    server = await startWsServer()
    h = await joined()
    const uri = `ws://127.0.0.1:${server.port}`

    expect(await h.command('AT+WSCFG=0,30,60,4096')).toBe('AT+WSCFG=0,30,60,4096\r\n\r\nOK\r\n')
    expect(await h.command(`AT+WSOPEN=0,"${uri}"`)).toBe(`AT+WSOPEN=0,"${uri}"\r\n+WS_CONNECTED:0\r\n\r\nOK\r\n`)
    expect(await h.command('AT+WSSEND=0,4', /\r\n>$/)).toBe('AT+WSSEND=0,4\r\n\r\nOK\r\n\r\n>')

    h.clear()
    h.write('test')
    await h.until('SEND OK\r\n')
    await h.until('+WS_DATA:0,4,test\r\n')
    // `+WS_DATA` comes "any time after the send": before or after SEND OK, never inside it.
    expect(['\r\nSEND OK\r\n+WS_DATA:0,4,test\r\n', '+WS_DATA:0,4,test\r\n\r\nSEND OK\r\n']).toContain(h.text())

    expect(await h.command('AT+WSSEND=0,2,8', /\r\n>$/)).toBe('AT+WSSEND=0,2,8\r\n\r\nOK\r\n\r\n>')
    h.clear()
    h.write(Buffer.from([0x03, 0xe8])) // close code 1000
    await h.until('SEND OK\r\n')
    await h.until('+WS_CLOSED:0\r\n')
    expect(['\r\nSEND OK\r\n+WS_CLOSED:0\r\n', '+WS_CLOSED:0\r\n\r\nSEND OK\r\n']).toContain(h.text())

    // The server got the text and a close frame with code 1000; the link is released.
    const connection = server.connections[0]!
    expect(connection.messages.map((m) => m.data.toString())).toEqual(['test'])
    expect(await h.command('AT+WSOPEN?')).toBe('AT+WSOPEN?\r\n\r\nOK\r\n')
  })

  it('too many payload bytes (SYSLOG on): busy p... for the surplus, before SEND OK; only n bytes are sent', async () => {
    server = await startWsServer({ echo: false })
    h = await joined()
    await h.command('AT+SYSLOG=1')
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"`)
    const received = server.nextConnection()

    expect(await h.command('AT+WSSEND=0,4', /\r\n>$/)).toBe('AT+WSSEND=0,4\r\n\r\nOK\r\n\r\n>')
    h.clear()
    h.write('test\r\n')
    await h.until('SEND OK\r\n')
    expect(h.text()).toBe('ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n\r\nSEND OK\r\n')
    const connection = await received
    await until(() => connection.messages.length === 1)
    expect(connection.messages[0]!.data).toEqual(Buffer.from('test'))
  })

  it('binary receive containing CR LF: +WS_DATA carries exactly len raw bytes, then CR LF', async () => {
    server = await startWsServer({ echo: false })
    h = await joined()
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"`)
    const connection = await server.nextConnection()
    h.clear()
    connection.ws.send(Buffer.from([0x01, 0x0d, 0x0a, 0x00, 0xff]), { binary: true })
    await h.until(/\xff\r\n$/)
    expect(h.bytes()).toEqual(Buffer.concat([Buffer.from('+WS_DATA:0,5,'), Buffer.from([0x01, 0x0d, 0x0a, 0x00, 0xff]), Buffer.from('\r\n')]))
  })

  it('a command while another runs: busy p..., and the running command still completes', async () => {
    h = await Harness.boot({ accessPoints: [{ ...DEFAULT_PROFILE.accessPoints[0]!, ssid: 'ap', password: 'pw', joinDelayMs: 400 }] })
    h.write('AT+CWJAP="ap","pw"\r\n')
    expect(await h.until('AT+CWJAP="ap","pw"\r\n')).toBe('AT+CWJAP="ap","pw"\r\n')
    h.write('AT\r\n')
    await h.until('\r\nOK\r\n')
    expect(h.text()).toBe('AT+CWJAP="ap","pw"\r\n\r\nbusy p...\r\nWIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n')
  })

  it('SNTP: OK, +TIME_UPDATED after the sync, then the time as asctime with no blank line before OK', async () => {
    // The servers answer Wed Nov 13 09:00:15 UTC 2024 and the host clock stands still, so the time prints exactly.
    h = await Harness.boot({ sntp: { time: NOV_13_2024 } }, { hostClock: () => 0 })
    await h.command('AT+CWJAP="espressif","1234567890"')
    expect(await h.command('AT+CIPSNTPCFG=1,800,"pool.ntp.org"')).toBe('AT+CIPSNTPCFG=1,800,"pool.ntp.org"\r\n\r\nOK\r\n')
    expect(await h.until('+TIME_UPDATED\r\n')).toBe('AT+CIPSNTPCFG=1,800,"pool.ntp.org"\r\n\r\nOK\r\n+TIME_UPDATED\r\n')
    expect(await h.command('AT+CIPSNTPTIME?')).toBe('AT+CIPSNTPTIME?\r\n+CIPSNTPTIME:Wed Nov 13 17:00:15 2024\r\nOK\r\n')
  })
})
