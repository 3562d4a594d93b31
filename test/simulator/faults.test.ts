import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_PROFILE } from '../../src/simulator/profile.ts'
import type { Faults } from '../../src/simulator/profile.ts'
import { Harness } from './harness.ts'
import { startWsServer } from './servers.ts'
import type { TestWsServer } from './servers.ts'

let devices: Harness[] = []
let server: TestWsServer | undefined
afterEach(async () => {
  for (const d of devices) await d.close()
  await server?.close()
  devices = []
  server = undefined
})

async function boot(faults: Partial<Faults>, overrides = {}): Promise<Harness> {
  const h = await Harness.boot({ ...overrides, faults: { seed: 1, ...faults } })
  devices.push(h)
  return h
}

const GMR_ANSWER = `AT+GMR\r\n${DEFAULT_PROFILE.gmr.map((line) => `${line}\r\n`).join('')}\r\nOK\r\n`

describe('fault injection on the real output and input paths', () => {
  it('splitWrites: every write arrives in pieces of at most maxBytes, bytes unchanged; the same seed cuts the same way', async () => {
    const clean = await boot({})
    const answer = await clean.command('AT+GMR')
    const cut = await boot({ splitWrites: { maxBytes: 3 } })
    expect(await cut.command('AT+GMR')).toBe(answer)
    expect(answer).toBe(GMR_ANSWER)
    expect(cut.writes.length).toBeGreaterThan(answer.length / 3)
    expect(Math.max(...cut.writes.map((w) => w.length))).toBeLessThanOrEqual(3)
    const again = await boot({ splitWrites: { maxBytes: 3 } })
    await again.command('AT+GMR')
    expect(again.writes.map((w) => w.length)).toEqual(cut.writes.map((w) => w.length))
  })

  it('baudRate: bytes trickle in slices of what the line carries in 2 ms, in order', async () => {
    const h = await boot({ baudRate: 115_200 })
    const answer = await h.command('AT+GMR')
    expect(answer).toBe(GMR_ANSWER)
    expect(Math.max(...h.writes.map((w) => w.length))).toBeLessThanOrEqual(23) // 11.52 bytes per ms
    expect(h.writes.length).toBeGreaterThanOrEqual(Math.ceil(answer.length / 23))
  })

  it('commandLatency: a second command sent while the first waits for its handler gets busy p...', async () => {
    const h = await boot({ commandLatencyMs: 50 })
    h.write('AT\r\n')
    h.write('AT\r\n')
    await h.until('\r\nOK\r\n')
    expect(h.text()).toBe('AT\r\n\r\nbusy p...\r\n\r\nOK\r\n')
  })

  it('bootGarbage: random bytes before every ready, the same for the same seed', async () => {
    const a = new Harness({ faults: { seed: 5, bootGarbageBytes: 12 } })
    const b = new Harness({ faults: { seed: 5, bootGarbageBytes: 12 } })
    devices.push(a, b)
    a.device.start()
    b.device.start()
    await a.until('\r\nready\r\n')
    await b.until('\r\nready\r\n')
    expect(a.bytes().length).toBe(12 + 9)
    expect(a.bytes().subarray(12).toString()).toBe('\r\nready\r\n')
    expect(a.bytes()).toEqual(b.bytes())
    a.clear()
    a.write('AT+RST\r\n')
    await a.until('\r\nready\r\n')
    expect(a.bytes().length).toBe('AT+RST\r\n\r\nOK\r\n'.length + 12 + 9)
  })

  it('rebootAfterCommands: the Nth command gets no answer, the device resets (ready) and then works', async () => {
    const h = await boot({ rebootAfterCommands: 2 })
    expect(await h.command('AT')).toBe('AT\r\n\r\nOK\r\n')
    h.clear()
    h.write('AT+GMR\r\n')
    await h.until('ready\r\n')
    expect(h.text()).toBe('AT+GMR\r\n\r\nready\r\n')
    expect(await h.command('AT')).toBe('AT\r\n\r\nOK\r\n')
    expect(await h.command('AT+GMR')).toMatch(/^AT\+GMR\r\nAT version:/)
  })

  it('dropWebSocket.afterMessages: the link is cut after N received messages, then reconnects', async () => {
    server = await startWsServer()
    const h = await boot({ dropWebSocket: { afterMessages: 1 } }, { websocket: { reconnectDelayMs: 30 } })
    await h.command('AT+CWJAP="espressif","1234567890"')
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"`)
    await h.command('AT+WSSEND=0,4', /\r\n>$/)
    h.clear()
    h.write('test')
    await h.until('+WS_CONNECTED:0\r\n')
    expect(h.text()).toMatch(/^(\r\nSEND OK\r\n)?\+WS_DATA:0,4,test\r\n(\r\nSEND OK\r\n)?\+WS_DISCONNECTED:0\r\n\+WS_CONNECTED:0\r\n$/)
    expect(server.connections.length).toBe(2)
  })

  it('dropWebSocket.after: the link is cut a while after each connection', async () => {
    server = await startWsServer()
    const h = await boot({ dropWebSocket: { afterMs: 20 } }, { websocket: { reconnectDelayMs: 30 } })
    await h.command('AT+CWJAP="espressif","1234567890"')
    await h.command(`AT+WSOPEN=0,"ws://127.0.0.1:${server.port}"`)
    h.clear()
    await h.until('+WS_DISCONNECTED:0\r\n+WS_CONNECTED:0\r\n+WS_DISCONNECTED:0\r\n')
    expect(h.text().startsWith('+WS_DISCONNECTED:0\r\n+WS_CONNECTED:0\r\n+WS_DISCONNECTED:0\r\n')).toBe(true)
  })
})
