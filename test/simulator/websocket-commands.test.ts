import { afterEach, describe, expect, it, vi } from 'vitest'
import { Harness, until } from './harness.ts'
import { startRawWsServer, startWsServer } from './servers.ts'
import type { RawWsServer, TestWsServer } from './servers.ts'

let h: Harness | undefined
let server: TestWsServer | undefined
let raw: RawWsServer | undefined
afterEach(async () => {
  vi.useRealTimers()
  await h?.close()
  await server?.close()
  await raw?.close()
  h = server = raw = undefined
})

/** A device that joined the router; SYSLOG on, so that a stray ERR CODE line would show. */
async function joined(overrides = {}): Promise<Harness> {
  const device = await Harness.boot(overrides)
  await device.command('AT+CWJAP="espressif","1234567890"')
  await device.command('AT+SYSLOG=1')
  device.clear()
  return device
}

const plainError = (line: string) => `${line}\r\n\r\nERROR\r\n`

describe('AT+WSCFG (reference §7.1)', () => {
  it('accepts 3, 4, 5 (auth_mode 0) or 7 (auth_mode 1..3) parameters; every range error is a plain ERROR', async () => {
    h = await joined()
    for (const ok of ['AT+WSCFG=0,30,60', 'AT+WSCFG=1,30,60,4096', 'AT+WSCFG=2,30,60,4096,0', 'AT+WSCFG=0,30,60,4096,3,0,0', 'AT+WSCFG=0,1,7200,16384,1,0,0']) {
      expect(await h.command(ok)).toBe(`${ok}\r\n\r\nOK\r\n`)
    }
    for (const bad of [
      'AT+WSCFG=0,30,60,4096,3', // auth_mode 1..3 needs pki and ca numbers
      'AT+WSCFG=0,30,60,4096,0,0,0', // auth_mode 0 must not have them
      'AT+WSCFG=0,30,60,4096,3,0', // 6 parameters
      'AT+WSCFG=3,30,60', // link 0..2
      'AT+WSCFG=0,0,60',
      'AT+WSCFG=0,30,7201',
      'AT+WSCFG=0,30,60,16385',
      'AT+WSCFG=0,30,60,4096,4,0,0',
      'AT+WSCFG=0,30',
    ]) {
      expect(await h.command(bad)).toBe(plainError(bad))
    }
    // An empty buffer_size cannot be skipped even though the doc brackets it: a parse failure.
    expect(await h.command('AT+WSCFG=0,30,60,,3,0,0')).toBe('AT+WSCFG=0,30,60,,3,0,0\r\nERR CODE:0x01080003\r\n\r\nERROR\r\n')
    expect(await h.command('AT+WSCFG?')).toBe(plainError('AT+WSCFG?'))
    expect(await h.command('AT+WSCFG=?')).toBe(plainError('AT+WSCFG=?'))
  })

  it('checks that the PKI entries exist: NO CERT FOUND, NO PRVT_KEY FOUND, NO CA FOUND', async () => {
    h = await joined()
    expect(await h.command('AT+WSCFG=0,30,60,4096,3,1,0')).toBe('AT+WSCFG=0,30,60,4096,3,1,0\r\nNO CERT FOUND\r\n\r\nERROR\r\n')
    expect(await h.command('AT+WSCFG=0,30,60,4096,2,0,1')).toBe('AT+WSCFG=0,30,60,4096,2,0,1\r\nNO CA FOUND\r\n\r\nERROR\r\n')
    expect(await h.command('AT+WSCFG=0,30,60,4096,1,0,5')).toBe('AT+WSCFG=0,30,60,4096,1,0,5\r\n\r\nOK\r\n') // mode 1 uses no CA
    await h.close()
    h = await joined({ pki: { clientKeys: [] } })
    expect(await h.command('AT+WSCFG=0,30,60,4096,1,0,0')).toBe('AT+WSCFG=0,30,60,4096,1,0,0\r\nNO PRVT_KEY FOUND\r\n\r\nERROR\r\n')
  })
})

describe('AT+WSOPEN and AT+WSCLOSE (reference §7.3, §7.6, §7.7)', () => {
  it('opens: +WS_CONNECTED before OK; AT+WSOPEN? lists the link with its state and URI as given', async () => {
    server = await startWsServer()
    h = await joined()
    const uri = `ws://127.0.0.1:${server.port}/echo?x=1`
    expect(await h.command(`AT+WSOPEN=2,"${uri}"`)).toBe(`AT+WSOPEN=2,"${uri}"\r\n+WS_CONNECTED:2\r\n\r\nOK\r\n`)
    expect((await server.nextConnection()).request.url).toBe('/echo?x=1')
    expect(await h.command('AT+WSOPEN?')).toBe(`AT+WSOPEN?\r\n+WSOPEN:2,2,"${uri}"\r\n\r\nOK\r\n`)
    expect(await h.command(`AT+WSOPEN=2,"${uri}"`)).toBe(plainError(`AT+WSOPEN=2,"${uri}"`)) // already open
    // AT+WSCLOSE: OK and nothing else; the link is free again.
    expect(await h.command('AT+WSCLOSE=2')).toBe('AT+WSCLOSE=2\r\n\r\nOK\r\n')
    expect(await h.command('AT+WSOPEN?')).toBe('AT+WSOPEN?\r\n\r\nOK\r\n')
    expect(await h.command('AT+WSCLOSE=2')).toBe('AT+WSCLOSE=2\r\n\r\nOK\r\n') // closing a free link is fine
  })

  it('sends the subprotocol, the auth value and AT+WSHEAD headers with the handshake', async () => {
    server = await startWsServer()
    h = await joined()
    await h.command('AT+WSHEAD=13', /\r\n>$/)
    h.clear()
    h.write('X-Device: esp')
    await h.until('\r\nOK\r\n')
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}","chat",5000,"Basic QTpC"`)
    const { request } = await server.nextConnection()
    expect(request.headers['sec-websocket-protocol']).toBe('chat')
    expect(request.headers.authorization).toBe('Basic QTpC')
    expect(request.headers['x-device']).toBe('esp')
  })

  it('refuses timeout 0 (the doc allows it, the firmware does not), an empty timeout, a bad URI, a link out of range', async () => {
    h = await joined()
    for (const bad of ['AT+WSOPEN=0,"ws://127.0.0.1:1",,0', 'AT+WSOPEN=0,"ws://127.0.0.1:1",,180001', 'AT+WSOPEN=0,"http://127.0.0.1:1"', 'AT+WSOPEN=3,"ws://127.0.0.1:1"', 'AT+WSOPEN=0']) {
      expect(await h.command(bad)).toBe(plainError(bad))
    }
    expect(await h.command('AT+WSOPEN=0,"ws://127.0.0.1:1",,')).toBe('AT+WSOPEN=0,"ws://127.0.0.1:1",,\r\nERR CODE:0x01080003\r\n\r\nERROR\r\n')
  })

  it('a failed open prints +WS_DISCONNECTED then ERROR, and wipes the link\'s AT+WSCFG', async () => {
    server = await startWsServer({ echo: false })
    const dead = await startWsServer()
    const deadPort = dead.port
    await dead.close()
    h = await joined()
    await h.command('AT+WSCFG=0,30,60,4')
    expect(await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${deadPort}"`)).toBe(`AT+WSOPEN=0,"ws://127.0.0.1:${deadPort}"\r\n+WS_DISCONNECTED:0\r\n\r\nERROR\r\n`)
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"`)
    const connection = await server.nextConnection()
    h.clear()
    connection.ws.send('abcdefghij')
    await h.until('abcdefghij\r\n')
    expect(h.text()).toBe('+WS_DATA:0,10,abcdefghij\r\n') // the default buffer of 1024, not 4
  })

  it('without an IP address the open fails the same way', async () => {
    server = await startWsServer()
    h = await Harness.boot()
    expect(await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"`)).toBe(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"\r\n+WS_DISCONNECTED:0\r\n\r\nERROR\r\n`)
  })

  it('AT+WSCLOSE drops the TCP connection without a close frame and wipes AT+WSCFG', async () => {
    raw = await startRawWsServer()
    h = await joined()
    await h.command('AT+WSCFG=0,30,60,4')
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${raw.port}"`)
    const first = await raw.nextConnection()
    const ended = new Promise((resolve) => first.socket.once('close', resolve))
    expect(await h.command('AT+WSCLOSE=0')).toBe('AT+WSCLOSE=0\r\n\r\nOK\r\n')
    await ended
    expect(first.frames.filter((f) => f.opcode === 8)).toEqual([])
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${raw.port}"`)
    const second = await raw.nextConnection()
    h.clear()
    second.sendFrame(1, true, Buffer.from('abcdefghij'))
    await h.until('ij\r\n')
    expect(h.text()).toBe('+WS_DATA:0,10,abcdefghij\r\n')
  })

  it('a close frame from the server: +WS_CLOSED only, the link released and its AT+WSCFG wiped', async () => {
    raw = await startRawWsServer()
    h = await joined()
    await h.command('AT+WSCFG=0,30,60,4')
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${raw.port}"`)
    const connection = await raw.nextConnection()
    h.clear()
    connection.sendFrame(8, true, Buffer.from([0x03, 0xe8]))
    await h.until('+WS_CLOSED:0\r\n')
    // The client answers the close frame, as esp_websocket_client does.
    expect((await connection.framesUntil(1)).map((f) => [f.opcode, [...f.payload]])).toEqual([[8, [0x03, 0xe8]]])
    connection.socket.end()
    await until(() => h!.text().length > 0 && !h!.device.state.links[0])
    expect(h.text()).toBe('+WS_CLOSED:0\r\n')
    expect(await h.command('AT+WSOPEN?')).toBe('AT+WSOPEN?\r\n\r\nOK\r\n')
    expect(h.device.state.wsConfigs[0]).toBeUndefined()
  })

  it('a lost connection: +WS_DISCONNECTED, state 3, then a reconnection after the profile\'s delay: +WS_CONNECTED', async () => {
    server = await startWsServer()
    h = await joined({ websocket: { reconnectDelayMs: 150 } })
    await h.command('AT+WSCFG=0,30,60,4')
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"`)
    const first = await server.nextConnection()
    h.clear()
    first.ws.terminate()
    await h.until('+WS_DISCONNECTED:0\r\n')
    expect(await h.command('AT+WSOPEN?')).toBe(`AT+WSOPEN?\r\n+WSOPEN:0,3,"ws://127.0.0.1:${server.port}"\r\n\r\nOK\r\n`)
    h.clear()
    const second = await server.nextConnection()
    await h.until('+WS_CONNECTED:0\r\n')
    expect(h.text()).toBe('+WS_CONNECTED:0\r\n')
    // The configuration survives a reconnection.
    h.clear()
    second.ws.send('abcdef')
    await h.until('ef\r\n')
    expect(h.text()).toBe('+WS_DATA:0,4,abcd\r\n+WS_DATA:0,2,ef\r\n')
  })

  it('every failed reconnection prints +WS_DISCONNECTED again', async () => {
    server = await startWsServer()
    h = await joined({ websocket: { reconnectDelayMs: 20 } })
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"`)
    h.clear()
    await server.close()
    server = undefined
    await h.until('+WS_DISCONNECTED:0\r\n+WS_DISCONNECTED:0\r\n+WS_DISCONNECTED:0\r\n')
    expect(h.text()).toMatch(/^(\+WS_DISCONNECTED:0\r\n){3,}$/)
  })

  it('leaving the access point takes the links down: +WS_DISCONNECTED, and reconnections fail without an address', async () => {
    server = await startWsServer()
    h = await joined({ websocket: { reconnectDelayMs: 20 } })
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"`)
    h.clear()
    h.write('AT+CWQAP\r\n')
    await h.until('+WS_DISCONNECTED:0\r\n+WS_DISCONNECTED:0\r\n')
    expect(h.text()).toMatch(/^AT\+CWQAP\r\nWIFI DISCONNECT\r\n(\+WS_DISCONNECTED:0\r\n)?\r\nOK\r\n(\+WS_DISCONNECTED:0\r\n)+$/)
  })

  it('pings every ping_intv_sec; no pong within ping_timeout_sec of the first unanswered ping: +WS_DISCONNECTED', async () => {
    server = await startWsServer({ autoPong: false })
    h = await joined({ websocket: { reconnectDelayMs: 60_000 } })
    await h.command('AT+WSCFG=0,1,2')
    const connection = server.nextConnection()
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"`)
    let pings = 0
    ;(await connection).ws.on('ping', () => pings++)
    h.clear()
    await vi.advanceTimersByTimeAsync(1000) // ping_intv_sec: the first ping
    await until(() => pings === 1)
    await vi.advanceTimersByTimeAsync(1000) // the second ping; 1 s without a pong so far
    await until(() => pings === 2)
    expect(h.text()).toBe('')
    await vi.advanceTimersByTimeAsync(1000) // 2 s after the first unanswered ping
    await h.until('+WS_DISCONNECTED:0\r\n')
    expect(h.text()).toBe('+WS_DISCONNECTED:0\r\n')
  })
})

describe('AT+WSHEAD (reference §7.2)', () => {
  it('adds one header per command after a prompt, lists them most recent first, clears them with 0', async () => {
    h = await joined()
    expect(await h.command('AT+WSHEAD?')).toBe('AT+WSHEAD?\r\n\r\nOK\r\n')
    expect(await h.command('AT+WSHEAD=49', /\r\n>$/)).toBe('AT+WSHEAD=49\r\n\r\nOK\r\n\r\n>')
    h.clear()
    h.write('AUTHORIZATION: Basic QTIzMzIyMDE5OTk6MTIzNDU2Nzg=')
    await h.until('OK\r\n')
    expect(h.text()).toBe('\r\nOK\r\n')
    await h.command('AT+WSHEAD=6', /\r\n>$/)
    h.clear()
    h.write('a: b c')
    await h.until('OK\r\n')
    expect(await h.command('AT+WSHEAD?')).toBe('AT+WSHEAD?\r\n+WSHEAD:0,"a: b c"\r\n+WSHEAD:1,"AUTHORIZATION: Basic QTIzMzIyMDE5OTk6MTIzNDU2Nzg="\r\n\r\nOK\r\n')
    expect(await h.command('AT+WSHEAD=0')).toBe('AT+WSHEAD=0\r\n\r\nOK\r\n')
    expect(await h.command('AT+WSHEAD?')).toBe('AT+WSHEAD?\r\n\r\nOK\r\n')
  })

  it('refuses a header without a colon, with a trailing CR LF, or with a NUL', async () => {
    h = await joined()
    for (const header of ['novalue', 'a: b\r\n', 'a:\x00b']) {
      await h.command(`AT+WSHEAD=${header.length}`, /\r\n>$/)
      h.clear()
      h.write(header)
      await h.until('ERROR\r\n')
      expect(h.text()).toBe('\r\nERROR\r\n')
    }
    expect(await h.command('AT+WSHEAD?')).toBe('AT+WSHEAD?\r\n\r\nOK\r\n')
  })
})

describe('AT+WSSEND (reference §7.4)', () => {
  async function rawLink(overrides = {}) {
    raw = await startRawWsServer()
    h = await joined(overrides)
    return h
  }

  it('fails at once, without a prompt, when the link has no client', async () => {
    h = await joined()
    expect(await h.command('AT+WSSEND=1,4')).toBe(plainError('AT+WSSEND=1,4'))
  })

  it('length 0: no prompt, an empty frame, SEND OK', async () => {
    const device = await rawLink()
    await device.command(`AT+WSOPEN=0,"ws://127.0.0.1:${raw!.port}"`)
    const connection = await raw!.nextConnection()
    expect(await device.command('AT+WSSEND=0,0')).toBe('AT+WSSEND=0,0\r\n\r\nSEND OK\r\n')
    expect((await connection.framesUntil(1))[0]).toMatchObject({ opcode: 1, fin: true, payload: Buffer.alloc(0) })
  })

  it('opcode 2 sends binary; a payload longer than buffer_size goes out as a fragmented message', async () => {
    const device = await rawLink()
    await device.command('AT+WSCFG=0,30,60,4')
    await device.command(`AT+WSOPEN=0,"ws://127.0.0.1:${raw!.port}"`)
    const connection = await raw!.nextConnection()
    await device.command('AT+WSSEND=0,10,2', /\r\n>$/)
    device.write('0123456789')
    await device.until('SEND OK\r\n')
    const frames = (await connection.framesUntil(3)).map((f) => [f.opcode, f.fin, f.payload.toString()])
    expect(frames).toEqual([
      [2, false, '0123'],
      [0, false, '4567'],
      [0, true, '89'],
    ])
  })

  it('fin 0 starts a fragmented message, opcode 0 continues it, AT+WSSEND=<id>,0,0 ends it', async () => {
    const device = await rawLink()
    await device.command(`AT+WSOPEN=0,"ws://127.0.0.1:${raw!.port}"`)
    const connection = await raw!.nextConnection()
    await device.command('AT+WSSEND=0,2,1,1000,0', /\r\n>$/)
    device.write('ab')
    await device.until('SEND OK\r\n')
    await device.command('AT+WSSEND=0,2,0,1000,0', /\r\n>$/)
    device.write('cd')
    await device.until('SEND OK\r\n')
    expect(await device.command('AT+WSSEND=0,0,0')).toBe('AT+WSSEND=0,0,0\r\n\r\nSEND OK\r\n')
    const frames = (await connection.framesUntil(3)).map((f) => [f.opcode, f.fin, f.payload.toString()])
    expect(frames).toEqual([
      [1, false, 'ab'],
      [0, false, 'cd'],
      [0, true, ''],
    ])
  })

  it('opcode 0 with FIN and a payload: the payload is read but not sent, and the answer is ERROR', async () => {
    const device = await rawLink()
    await device.command(`AT+WSOPEN=0,"ws://127.0.0.1:${raw!.port}"`)
    const connection = await raw!.nextConnection()
    await device.command('AT+WSSEND=0,4,0', /\r\n>$/)
    device.clear()
    device.write('test')
    await device.until('ERROR\r\n')
    expect(device.text()).toBe('\r\nERROR\r\n')
    expect((await connection.framesUntil(1))[0]).toMatchObject({ opcode: 0, fin: true, payload: Buffer.alloc(0) })
  })

  it('control and reserved opcodes go out as one frame with FIN; with fin 0 they are refused', async () => {
    const device = await rawLink()
    await device.command(`AT+WSOPEN=0,"ws://127.0.0.1:${raw!.port}"`)
    const connection = await raw!.nextConnection()
    await device.command('AT+WSSEND=0,2,9', /\r\n>$/)
    device.write('hi')
    await device.until('SEND OK\r\n')
    await device.command('AT+WSSEND=0,1,3', /\r\n>$/)
    device.write('x')
    await device.until('SEND OK\r\n')
    expect(await device.command('AT+WSSEND=0,1,3,1000,0')).toBe(plainError('AT+WSSEND=0,1,3,1000,0'))
    const frames = (await connection.framesUntil(2)).map((f) => [f.opcode, f.fin, f.payload.toString()])
    expect(frames).toEqual([
      [9, true, 'hi'],
      [3, true, 'x'],
    ])
  })

  it('refuses an empty opcode before a timeout, a length over 16384, a fin of 2', async () => {
    server = await startWsServer()
    h = await joined()
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"`)
    expect(await h.command('AT+WSSEND=0,4,,5000')).toBe('AT+WSSEND=0,4,,5000\r\nERR CODE:0x01080002\r\n\r\nERROR\r\n')
    expect(await h.command('AT+WSSEND=0,16385')).toBe(plainError('AT+WSSEND=0,16385'))
    expect(await h.command('AT+WSSEND=0,4,1,1000,2')).toBe(plainError('AT+WSSEND=0,4,1,1000,2'))
  })

  it('on a link that is reconnecting the data is still read, then ERROR', async () => {
    server = await startWsServer()
    h = await joined({ websocket: { reconnectDelayMs: 60_000 } })
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"`)
    const connection = await server.nextConnection()
    connection.ws.terminate()
    await h.until('+WS_DISCONNECTED:0\r\n')
    await h.command('AT+WSSEND=0,4', /\r\n>$/)
    h.clear()
    h.write('test')
    await h.until('ERROR\r\n')
    expect(h.text()).toBe('\r\nERROR\r\n')
  })
})

describe('+WS_DATA and AT+WSDATAFMT (reference §7.5, §7.8)', () => {
  async function linked(): Promise<{ device: Harness; send: (data: string | Buffer) => void }> {
    server = await startWsServer({ echo: false })
    h = await joined()
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"`)
    const connection = await server.nextConnection()
    h.clear()
    return { device: h, send: (data) => connection.ws.send(data) }
  }

  it('chunks a message by buffer_size, one write per chunk; a zero-length frame is +WS_DATA:<id>,0,', async () => {
    const { device, send } = await linked()
    await device.command('AT+WSCLOSE=0')
    await device.command('AT+WSCFG=0,30,60,4')
    await device.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server!.port}"`)
    const connection = await server!.nextConnection()
    void send
    device.clear()
    connection.ws.send('abcdefghij')
    await device.until('ij\r\n')
    expect(device.text()).toBe('+WS_DATA:0,4,abcd\r\n+WS_DATA:0,4,efgh\r\n+WS_DATA:0,2,ij\r\n')
    expect(device.writes.map((w) => w.toString())).toEqual(['+WS_DATA:0,4,abcd\r\n', '+WS_DATA:0,4,efgh\r\n', '+WS_DATA:0,2,ij\r\n'])
    device.clear()
    connection.ws.send('')
    await device.until('\r\n')
    expect(device.text()).toBe('+WS_DATA:0,0,\r\n')
  })

  it('mask 63 prints opcode, fin, payload length, offset and chunk length', async () => {
    const { device, send } = await linked()
    expect(await device.command('AT+WSDATAFMT=0,0,63')).toBe('AT+WSDATAFMT=0,0,63\r\n\r\nOK\r\n')
    device.clear()
    send(Buffer.from('test'))
    await device.until('test\r\n')
    expect(device.text()).toBe('+WS_DATA:0,2,1,4,0,4,test\r\n')
  })

  it('without bit 5 no CR LF, without bit 4 no length; level 1 frames the whole frame once', async () => {
    const { device, send } = await linked()
    await device.command('AT+WSDATAFMT=0,,16')
    device.clear()
    send('test')
    await device.until('test')
    expect(device.text()).toBe('+WS_DATA:0,4,test')
    await device.command('AT+WSDATAFMT=0,1,36')
    await device.command('AT+WSCLOSE=0')
    await device.command('AT+WSCFG=0,30,60,4')
    await device.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server!.port}"`)
    const connection = await server!.nextConnection()
    device.clear()
    connection.ws.send('abcdefghij')
    await device.until('ij\r\n')
    // The format survived the close; level 1: header on the first chunk, CR LF after the last.
    expect(device.writes.map((w) => w.toString())).toEqual(['+WS_DATA:0,10,abcd', 'efgh', 'ij\r\n'])
  })

  it('takes exactly three fields; refuses mask 0 and level 3', async () => {
    const { device } = await linked()
    for (const bad of ['AT+WSDATAFMT=0,2', 'AT+WSDATAFMT=0,0,0', 'AT+WSDATAFMT=0,3,48', 'AT+WSDATAFMT?']) {
      expect(await device.command(bad)).toBe(plainError(bad))
    }
  })
})
