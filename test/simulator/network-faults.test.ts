import { describe, expect, it } from 'vitest'
import { startMosquitto } from '../helpers/mosquitto.ts'
import { useResources } from '../helpers/resources.ts'
import { useHarness } from './harness.ts'
import type { Harness } from './harness.ts'
import { startTcpServer } from './servers.ts'

const boot = useHarness()
const track = useResources()

async function joined(overrides = {}): Promise<Harness> {
  const h = await boot(overrides)
  await h.command('AT+CWMODE=1')
  await h.command('AT+CWJAP="espressif","1234567890"')
  h.clear()
  return h
}

describe('network faults of the profile (schema/device.schema.json `faults`)', () => {
  it('closeSockets: the server closes the link after N pieces of data: CLOSED (0,CLOSED with CIPMUX=1)', async () => {
    const server = track(await startTcpServer({ echo: false }))
    const h = await joined({ faults: { seed: 1, closeSockets: { afterMessages: 1 } } })
    await h.command('AT+CIPMUX=1')
    await h.command(`AT+CIPSTART=2,"TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    h.clear()
    peer.socket.write('test')
    await h.until('2,CLOSED\r\n')
    expect(h.text()).toBe('\r\n+IPD,2,4:test\r\n2,CLOSED\r\n')
    await peer.closed
    expect(await h.command('AT+CIPSTATE?')).toBe('AT+CIPSTATE?\r\n\r\nOK\r\n')
  })

  it('closeSockets after a time, each time a link connects', async () => {
    const server = track(await startTcpServer())
    const h = await joined({ faults: { seed: 1, closeSockets: { afterMs: 30 } } })
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    await h.until('CLOSED\r\n')
    h.clear()
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    await h.until('CLOSED\r\n')
  })

  it('splitRecords: +IPD comes as header, two halves of the data and trailer, in separate reads, nothing between them', async () => {
    const server = track(await startTcpServer({ echo: false }))
    const h = await joined({ faults: { seed: 1, splitRecords: { gapMs: 5 } } })
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    h.clear()
    peer.socket.write('abcd')
    await h.until('\r\n+IPD,4:abcd\r\n')
    expect(h.writes.map((w) => w.toString('latin1'))).toEqual(['\r\n+IPD,4:', 'ab', 'cd', '\r\n'])
    // Output that comes meanwhile waits behind the record's pieces: the echo and OK of an AT
    // written between the header and the data come after the trailer.
    h.clear()
    peer.socket.write('wxyz')
    await h.until('\r\n+IPD,4:')
    h.write('AT\r\n')
    await h.until(/OK\r\n$/)
    expect(h.text()).toBe('\r\n+IPD,4:wxyz\r\nAT\r\n\r\nOK\r\n')
  })

  it('interleaveUrcs: a URC held comes out in the middle of the next echo, or between the OK and the > of a prompt', async () => {
    const server = track(await startTcpServer({ echo: false }))
    const h = await joined({ faults: { seed: 1, interleaveUrcs: { holdMs: 2000 } } })
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    peer.socket.write('hi')
    await new Promise((r) => setTimeout(r, 50))
    expect(await h.command('AT+CIPSTATE?')).toMatch(/^AT\+CIPS\r\n\+IPD,2:hi\r\nTATE\?\r\n\+CIPSTATE:0,"TCP"/)
    peer.socket.write('yo')
    await new Promise((r) => setTimeout(r, 50))
    h.clear()
    h.device.state.echo = false // no echo to carry it: the prompt does
    h.write('AT+CIPSEND=2\r\n')
    await h.until('\r\n>')
    expect(h.text()).toBe('\r\nOK\r\n\r\n+IPD,2:yo\r\n\r\n>')
  })

  it('interleaveUrcs never moves a URC past the result it came before: CONNECT stays before CIPSTART\'s OK', async () => {
    const server = track(await startTcpServer())
    const h = await joined({ faults: { seed: 1, interleaveUrcs: { holdMs: 2000 } } })
    const start = `AT+CIPSTART="TCP","127.0.0.1",${server.port}`
    expect(await h.command(start)).toBe(`${start}\r\nCONNECT\r\n\r\nOK\r\n`)
  })

  it('dropMqtt after a time: +MQTTDISCONNECTED:0, and with reconnect 0 the state stays 3', async () => {
    const broker = track(await startMosquitto())
    const h = await joined({ faults: { seed: 1, dropMqtt: { afterMs: 50 } } })
    await h.command('AT+MQTTUSERCFG=0,1,"c","","",0,0,""')
    await h.command(`AT+MQTTCONN=0,"127.0.0.1",${broker.port},0`)
    await h.until('+MQTTDISCONNECTED:0\r\n')
    expect(await h.command('AT+MQTTCONN?')).toBe(`AT+MQTTCONN?\r\n+MQTTCONN:0,3,1,"127.0.0.1","${broker.port}","",0\r\n\r\nOK\r\n`)
    expect(await h.command(`AT+MQTTCONN=0,"127.0.0.1",${broker.port},0`)).toBe(`AT+MQTTCONN=0,"127.0.0.1",${broker.port},0\r\n\r\nERROR\r\n`)
  })
})
