import { describe, expect, it } from 'vitest'
import { startMosquitto } from '../helpers/mosquitto.ts'
import { useResources } from '../helpers/resources.ts'
import { useHarness } from './harness.ts'
import type { Harness } from './harness.ts'
import { PROJECT_PKI } from './servers.ts'

const boot = useHarness()
const track = useResources()

async function joined(overrides = {}): Promise<Harness> {
  const h = await boot(overrides)
  await h.command('AT+CWMODE=1')
  await h.command('AT+CWJAP="espressif","1234567890"')
  h.clear()
  return h
}

const plainError = (line: string) => `${line}\r\n\r\nERROR\r\n`

describe('MQTT over TCP (MQTT examples 1 and 2, notes §6) against mosquitto', () => {
  it('USERCFG, CONN (+MQTTCONNECTED with the port quoted, before OK), SUB, PUB: +MQTTSUBRECV:0,"topic",4,test; CLEAN', async () => {
    const broker = track(await startMosquitto())
    const h = await joined()
    const user = 'AT+MQTTUSERCFG=0,1,"subscriber","espressif","123456789",0,0,""'
    expect(await h.command(user)).toBe(`${user}\r\n\r\nOK\r\n`)
    expect(await h.command('AT+MQTTCONN?')).toBe('AT+MQTTCONN?\r\n+MQTTCONN:0,1,1,"","","",0\r\n\r\nOK\r\n')
    const conn = `AT+MQTTCONN=0,"127.0.0.1",${broker.port},1`
    expect(await h.command(conn)).toBe(`${conn}\r\n+MQTTCONNECTED:0,1,"127.0.0.1","${broker.port}","",1\r\n\r\nOK\r\n`)
    expect(await h.command('AT+MQTTCONN?')).toBe(`AT+MQTTCONN?\r\n+MQTTCONN:0,4,1,"127.0.0.1","${broker.port}","",1\r\n\r\nOK\r\n`)
    expect(await h.command('AT+MQTTSUB?')).toBe('AT+MQTTSUB?\r\n+MQTTSUB:0,4,"",0\r\n\r\nOK\r\n')
    expect(await h.command('AT+MQTTSUB=0,"topic",1')).toBe('AT+MQTTSUB=0,"topic",1\r\n\r\nOK\r\n')
    expect(await h.command('AT+MQTTSUB=0,"topic",1')).toBe('AT+MQTTSUB=0,"topic",1\r\n\r\nOK\r\n') // no ALREADY SUBSCRIBE
    expect(await h.command('AT+MQTTSUB?')).toBe('AT+MQTTSUB?\r\n+MQTTSUB:0,6,"topic",1\r\n\r\nOK\r\n')
    const out = await h.command('AT+MQTTPUB=0,"topic","test",1,0')
    expect(out).toMatch(/^AT\+MQTTPUB=0,"topic","test",1,0\r\n/)
    await h.until('+MQTTSUBRECV:0,"topic",4,test\r\n')
    expect(h.text()).toMatch(/\r\nOK\r\n/)
    expect(await h.command('AT+MQTTUNSUB=0,"nothing"')).toBe('AT+MQTTUNSUB=0,"nothing"\r\n\r\nOK\r\n') // no NO UNSUBSCRIBE
    expect(await h.command('AT+MQTTUNSUB=0,"topic"')).toBe('AT+MQTTUNSUB=0,"topic"\r\n\r\nOK\r\n')
    expect(await h.command('AT+MQTTSUB?')).toBe('AT+MQTTSUB?\r\n+MQTTSUB:0,5,"",0\r\n\r\nOK\r\n')
    expect(await h.command('AT+MQTTCLEAN=0')).toBe('AT+MQTTCLEAN=0\r\n\r\nOK\r\n')
    expect(await h.command('AT+MQTTCLEAN=0')).toBe(plainError('AT+MQTTCLEAN=0')) // already clean
  })

  it('MQTTPUBRAW: the prompt, exactly n bytes, then +MQTTPUB:OK with no leading CR LF and no OK', async () => {
    const broker = track(await startMosquitto())
    const h = await joined()
    await h.command('AT+MQTTUSERCFG=0,1,"publisher","espressif","123456789",0,0,""')
    await h.command(`AT+MQTTCONN=0,"127.0.0.1",${broker.port},1`)
    await h.command('AT+MQTTSUB=0,"topic",0')
    expect(await h.command('AT+MQTTPUBRAW=0,"topic",5,0,0', /\r\n>$/)).toBe('AT+MQTTPUBRAW=0,"topic",5,0,0\r\n\r\nOK\r\n\r\n>')
    h.clear()
    h.write('a\r\nbc')
    await h.until('+MQTTSUBRECV:0,"topic",5,a\r\nbc\r\n')
    expect(h.text()).toBe('+MQTTPUB:OK\r\n+MQTTSUBRECV:0,"topic",5,a\r\nbc\r\n')
    expect(await h.command('AT')).toBe('AT\r\n\r\nOK\r\n')
  })

  it('a message longer than the 1024-byte buffer comes in records that each repeat the topic', async () => {
    const broker = track(await startMosquitto())
    const h = await joined()
    await h.command('AT+MQTTUSERCFG=0,1,"big","","",0,0,""')
    await h.command(`AT+MQTTCONN=0,"127.0.0.1",${broker.port},0`)
    await h.command('AT+MQTTSUB=0,"t",0')
    await h.command('AT+MQTTPUBRAW=0,"t",2000,0,0', /\r\n>$/)
    h.clear()
    h.write(Buffer.alloc(2000, 0x78))
    await h.until(/\+MQTTSUBRECV:0,"t",(\d+),x+\r\n\+MQTTSUBRECV:0,"t",(\d+),x+\r\n$/)
    const lengths = [...h.text().matchAll(/\+MQTTSUBRECV:0,"t",(\d+),/g)].map((m) => Number(m[1]))
    // Fixed header 3 bytes (1 + a 2-byte length), topic length 2, topic 1: 1018 payload bytes in the first.
    expect(lengths).toEqual([1018, 982])
  })

  it('errors: PUB and SUB before a connection, CONN to a closed port (+MQTTDISCONNECTED:0, ERROR), CONNCFG before USERCFG', async () => {
    const broker = track(await startMosquitto())
    const h = await joined()
    expect(await h.command('AT+MQTTCONNCFG=0,0,0,"lwtt","lwtm",0,0')).toBe(plainError('AT+MQTTCONNCFG=0,0,0,"lwtt","lwtm",0,0'))
    await h.command('AT+MQTTUSERCFG=0,1,"c","","",0,0,""')
    expect(await h.command('AT+MQTTCONNCFG=0,0,0,"lwtt","lwtm",0,0')).toBe('AT+MQTTCONNCFG=0,0,0,"lwtt","lwtm",0,0\r\n\r\nOK\r\n')
    expect(await h.command('AT+MQTTPUB=0,"topic","test",1,0')).toBe(plainError('AT+MQTTPUB=0,"topic","test",1,0'))
    expect(await h.command('AT+MQTTSUB=0,"topic",1')).toBe(plainError('AT+MQTTSUB=0,"topic",1'))
    await broker.close()
    const conn = `AT+MQTTCONN=0,"127.0.0.1",${broker.port},1`
    expect(await h.command(conn)).toBe(`${conn}\r\n+MQTTDISCONNECTED:0\r\n\r\nERROR\r\n`)
    expect(await h.command('AT+MQTTUSERCFG=1,1,"c","","",0,0,""')).toBe(plainError('AT+MQTTUSERCFG=1,1,"c","","",0,0,""')) // LinkID 0 only
  })

  it('a lost broker: +MQTTDISCONNECTED:0; with reconnect 1, +MQTTCONNECTED again and the topics subscribed again', async () => {
    const broker = track(await startMosquitto())
    const h = await joined({ mqtt: { reconnectDelayMs: 50 }, faults: { dropMqtt: { afterMessages: 1 } } })
    await h.command('AT+MQTTUSERCFG=0,1,"c","","",0,0,""')
    await h.command(`AT+MQTTCONN=0,"127.0.0.1",${broker.port},1`)
    await h.command('AT+MQTTSUB=0,"topic",1')
    h.clear()
    await h.command('AT+MQTTPUB=0,"topic","one",1,0')
    await h.until(`+MQTTDISCONNECTED:0\r\n`)
    await h.until(`+MQTTCONNECTED:0,1,"127.0.0.1","${broker.port}","",1\r\n`)
    expect(h.text().indexOf('+MQTTSUBRECV:0,"topic",3,one')).toBeLessThan(h.text().indexOf('+MQTTDISCONNECTED:0'))
    await new Promise((r) => setTimeout(r, 100)) // the re-subscription, sent by the device itself
    h.clear()
    await h.command('AT+MQTTPUB=0,"topic","two",1,0')
    await h.until('+MQTTSUBRECV:0,"topic",3,two\r\n')
  })
})

describe('MQTT over TLS and WebSocket (MQTT examples 3 and 4)', () => {
  it('scheme 4 presents the device\'s client certificate to a broker that requires one', async () => {
    const broker = track(await startMosquitto({ tls: { cert: `${PROJECT_PKI}server.crt`, key: `${PROJECT_PKI}server.key`, clientCa: `${PROJECT_PKI}ca.crt` } }))
    const h = await joined()
    await h.command('AT+MQTTUSERCFG=0,4,"publisher","espressif","123456789",0,0,""')
    await h.command('AT+MQTTCONNCFG=0,0,0,"lwtt","lwtm",0,0')
    const conn = `AT+MQTTCONN=0,"127.0.0.1",${broker.tlsPort},1`
    expect(await h.command(conn)).toBe(`${conn}\r\n+MQTTCONNECTED:0,4,"127.0.0.1","${broker.tlsPort}","",1\r\n\r\nOK\r\n`)
    await h.command('AT+MQTTCLEAN=0')
    // Scheme 2 presents no certificate: this broker turns it away.
    await h.command('AT+MQTTUSERCFG=0,2,"publisher","","",0,0,""')
    expect(await h.command(`AT+MQTTCONN=0,"127.0.0.1",${broker.tlsPort},0`)).toMatch(/\+MQTTDISCONNECTED:0\r\n\r\nERROR\r\n$/)
  })

  it('scheme 7 (WSS, no verification) with the path: +MQTTCONNECTED shows "/mqtt"', async () => {
    const broker = track(await startMosquitto({ tls: { cert: `${PROJECT_PKI}server.crt`, key: `${PROJECT_PKI}server.key` }, websockets: true }))
    const h = await joined()
    await h.command('AT+MQTTUSERCFG=0,7,"subscriber","","",0,0,"mqtt"')
    const conn = `AT+MQTTCONN=0,"127.0.0.1",${broker.wsPort},1`
    expect(await h.command(conn)).toBe(`${conn}\r\n+MQTTCONNECTED:0,7,"127.0.0.1","${broker.wsPort}","/mqtt",1\r\n\r\nOK\r\n`)
    await h.command('AT+MQTTSUB=0,"topic",1')
    h.clear()
    await h.command('AT+MQTTPUB=0,"topic","test",1,0')
    await h.until('+MQTTSUBRECV:0,"topic",4,test\r\n')
  })
})
