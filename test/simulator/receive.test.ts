import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_PROFILE } from '../../src/simulator/profile.ts'
import { Harness } from './harness.ts'
import { startRawWsServer } from './servers.ts'
import type { RawWsServer } from './servers.ts'

/** A router that takes its time, so that a test can talk to the device while AT+CWJAP runs. */
const SLOW_ROUTER = { accessPoints: [{ ...DEFAULT_PROFILE.accessPoints[0]!, joinDelayMs: 300 }] }

let h: Harness | undefined
let server: RawWsServer | undefined
afterEach(async () => {
  await h?.close()
  await server?.close()
  h = undefined
  server = undefined
})

describe('command mode (reference §2)', () => {
  it('boots with `\\r\\nready\\r\\n`', async () => {
    const device = new Harness()
    h = device
    device.device.start()
    expect(await device.until('ready')).toBe('\r\nready\r\n')
  })

  it('echoes each received chunk as it arrives, CR LF included, then answers', async () => {
    h = await Harness.boot()
    for (const piece of ['A', 'T', '\r']) {
      h.write(piece)
      expect(h.writes.at(-1)!.toString()).toBe(piece)
    }
    h.write('\n')
    await h.until('OK\r\n')
    expect(h.text()).toBe('AT\r\n\r\nOK\r\n')
  })

  it('a bare LF or CR ends nothing; the line ends at CR LF, and `AT\\n` is not a command', async () => {
    h = await Harness.boot()
    h.write('AT\n')
    h.write('\r')
    expect(h.text()).toBe('AT\n\r')
    h.write('\n')
    await h.until('ERROR\r\n')
    expect(h.text()).toBe('AT\n\r\n\r\nERROR\r\n')
  })

  it('accepts the prefix and the name in any case', async () => {
    h = await Harness.boot()
    expect(await h.command('at+cwmode?')).toBe('at+cwmode?\r\n+CWMODE:1\r\n\r\nOK\r\n')
  })

  it('ERR CODE lines (AT+SYSLOG=1) precede ERROR for the errors that have one, and only then', async () => {
    h = await Harness.boot()
    expect(await h.command('AT+FAKE')).toBe('AT+FAKE\r\n\r\nERROR\r\n') // SYSLOG is off after boot
    expect(await h.command('AT+SYSLOG?')).toBe('AT+SYSLOG?\r\n+SYSLOG:0\r\n\r\nOK\r\n')
    await h.command('AT+SYSLOG=1')
    expect(await h.command('AT+FAKE')).toBe('AT+FAKE\r\nERR CODE:0x01090000\r\n\r\nERROR\r\n')
    expect(await h.command('AT ')).toBe('AT \r\nERR CODE:0x01090000\r\n\r\nERROR\r\n') // a trailing space makes the name unknown
    expect(await h.command('XT')).toBe('XT\r\nERR CODE:0x01030000\r\n\r\nERROR\r\n')
    expect(await h.command('')).toBe('\r\nERR CODE:0x01030000\r\n\r\nERROR\r\n') // a stray CR LF
    expect(await h.command('AT+RST?')).toBe('AT+RST?\r\n\r\nERROR\r\n') // a form the command lacks: no code
    expect(await h.command('AT+CWMODE=4')).toBe('AT+CWMODE=4\r\nERR CODE:0x01070000\r\n\r\nERROR\r\n')
    expect(await h.command('AT+CWMODE="1"')).toBe('AT+CWMODE="1"\r\nERR CODE:0x01080000\r\n\r\nERROR\r\n')
    expect(await h.command('AT+CWMODE=1,1,1')).toBe('AT+CWMODE=1,1,1\r\nERR CODE:0x01060203\r\n\r\nERROR\r\n')
    expect(await h.command('AT+SYSLOG?')).toBe('AT+SYSLOG?\r\n+SYSLOG:1\r\n\r\nOK\r\n')
  })

  it('ATE0: its own line is still echoed, nothing after it; ATE1 turns echo back on', async () => {
    h = await Harness.boot()
    expect(await h.command('ATE0')).toBe('ATE0\r\n\r\nOK\r\n')
    expect(await h.command('AT')).toBe('\r\nOK\r\n')
    expect(await h.command('ATE1')).toBe('\r\nOK\r\n')
    expect(await h.command('AT')).toBe('AT\r\n\r\nOK\r\n')
  })

  it('a NUL discards everything before it, and processing goes on after it', async () => {
    h = await Harness.boot()
    h.write('XY\x00AT\r\n')
    await h.until('OK\r\n')
    expect(h.text()).toBe('XY\x00AT\r\n\r\nOK\r\n')
  })

  it('a line of 256 bytes with its CR LF is taken; one of 257 is refused with 0x01030000', async () => {
    h = await Harness.boot()
    await h.command('AT+SYSLOG=1')
    const name254 = `AT+${'X'.repeat(251)}` // 254 bytes + CR LF = 256: parsed, an unknown command
    expect(await h.command(name254)).toBe(`${name254}\r\nERR CODE:0x01090000\r\n\r\nERROR\r\n`)
    const name255 = `${name254}X`
    expect(await h.command(name255)).toBe(`${name255}\r\nERR CODE:0x01030000\r\n\r\nERROR\r\n`)
  })

  it('256 bytes without CR LF are dropped without a word; the CR LF that follows alone is an empty line', async () => {
    h = await Harness.boot()
    const junk = 'A'.repeat(256)
    h.write(junk)
    expect(h.text()).toBe(junk) // echo only
    h.write('\r\n')
    await h.until('ERROR\r\n')
    expect(h.text()).toBe(`${junk}\r\n\r\nERROR\r\n`)
    expect(await h.command('AT')).toBe('AT\r\n\r\nOK\r\n')
  })
})

describe('while a command runs (reference §4)', () => {
  it('every chunk gets its own busy p... (after ERR CODE 0x010b0000 with SYSLOG on) and is dropped, not echoed', async () => {
    h = await Harness.boot(SLOW_ROUTER)
    await h.command('AT+SYSLOG=1')
    h.clear()
    h.write('AT+CWJAP="espressif","1234567890"\r\n')
    h.write('AT\r\n')
    h.write('AT+GMR\r\n')
    await h.until('\r\nOK\r\n')
    expect(h.text()).toBe(
      'AT+CWJAP="espressif","1234567890"\r\nERR CODE:0x010b0000\r\n\r\nbusy p...\r\nERR CODE:0x010b0000\r\n\r\nbusy p...\r\nWIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n',
    )
  })

  it('no pipelining: what follows a command line in the same chunk is input during the command, busy p...', async () => {
    h = await Harness.boot()
    h.write('AT+CWMODE?\r\nAT\r\n')
    await h.until('\r\nOK\r\n')
    expect(h.text()).toBe('AT+CWMODE?\r\nAT\r\n\r\nbusy p...\r\n+CWMODE:1\r\n\r\nOK\r\n')
  })

  it('AT+RST\\r\\n anywhere in a chunk forces a restart: Will force to restart!!!, OK, then ready', async () => {
    h = await Harness.boot(SLOW_ROUTER)
    h.write('AT+CWJAP="espressif","1234567890"\r\n')
    h.write('xxAT+RST\r\nyy')
    await h.until('ready\r\n')
    expect(h.text()).toBe('AT+CWJAP="espressif","1234567890"\r\n\r\nWill force to restart!!!\r\n\r\nOK\r\n\r\nready\r\n')
  })

  it('AT+RST: OK, then ready; what is not in flash is back to its default (echo on)', async () => {
    h = await Harness.boot()
    await h.command('ATE0')
    h.clear()
    h.write('AT+RST\r\n')
    await h.until('ready\r\n')
    expect(h.text()).toBe('\r\nOK\r\n\r\nready\r\n')
    expect(await h.command('AT')).toBe('AT\r\n\r\nOK\r\n')
  })
})

describe('the data phase after `>` (reference §5)', () => {
  async function openLink(): Promise<{ h: Harness; server: RawWsServer }> {
    const s = await startRawWsServer()
    const device = await Harness.boot()
    await device.command('AT+CWJAP="espressif","1234567890"')
    await device.command(`AT+WSOPEN=0,"ws://127.0.0.1:${s.port}"`)
    return { h: device, server: s }
  }

  it('reads exactly n raw bytes, without echo and without escapes: +++ and AT+RST\\r\\n are data', async () => {
    ;({ h, server } = await openLink())
    const connection = await server.nextConnection()
    await h.command('AT+WSSEND=0,16', /\r\n>$/)
    h.clear()
    h.write('+++AT+RST\r\n')
    h.write('\x00\\"ab')
    await h.until('SEND OK\r\n')
    expect(h.text()).toBe('\r\nSEND OK\r\n')
    const frames = await connection.framesUntil(1)
    expect(frames[0]!.payload.toString('latin1')).toBe('+++AT+RST\r\n\x00\\"ab')
    expect(frames[0]).toMatchObject({ fin: true, opcode: 1, masked: true })
  })

  it('waits for the data however long it takes and however it is cut', async () => {
    ;({ h, server } = await openLink())
    const connection = await server.nextConnection()
    await h.command('AT+WSSEND=0,4', /\r\n>$/)
    h.clear()
    for (const byte of 'test') {
      expect(h.text()).toBe('')
      await new Promise((resolve) => setImmediate(resolve))
      h.write(byte)
    }
    await h.until('SEND OK\r\n')
    expect((await connection.framesUntil(1))[0]!.payload.toString()).toBe('test')
  })

  it('payload sent together with the command line is lost to busy p..., and the device keeps waiting', async () => {
    ;({ h, server } = await openLink())
    h.clear()
    h.write('AT+WSSEND=0,4\r\ntest')
    await h.until('>')
    expect(h.text()).toBe('AT+WSSEND=0,4\r\ntest\r\nbusy p...\r\n\r\nOK\r\n\r\n>')
    h.clear()
    h.write('abcd')
    await h.until('SEND OK\r\n')
    expect(h.text()).toBe('\r\nSEND OK\r\n')
  })
})
