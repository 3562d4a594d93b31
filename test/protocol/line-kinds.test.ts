import { describe, expect, it } from 'vitest'
import { isFinal, lineKind, linkLoss } from '../../src/protocol/line-kinds.ts'

describe('lineKind', () => {
  it.each([
    ['OK', 'final-success'],
    ['SEND OK', 'final-success'],
    ['ERROR', 'final-failure'],
    ['SEND FAIL', 'final-failure'],
    ['SEND Canceled', 'final-failure'],
    ['busy p...', 'busy'],
    ['ERR CODE:0x01090000', 'err-code'],
    ['ERR CODE:0x010b0000', 'err-code'],
    ['ready', 'ready'],
    ['WIFI CONNECTED', 'urc'],
    ['WIFI GOT IP', 'urc'],
    ['WIFI GOT IPv6 LL', 'urc'],
    ['WIFI GOT IPv6 GL', 'urc'],
    ['WIFI DISCONNECT', 'urc'],
    ['+TIME_UPDATED', 'urc'],
    ['+WS_CONNECTED:0', 'urc'],
    ['+WS_DISCONNECTED:2', 'urc'],
    ['+WS_CLOSED:1', 'urc'],
    ['Will force to restart!!!', 'urc'],
    // A trailing space does not change what a line is (seen from real devices).
    ['OK ', 'final-success'],
    ['+WS_CONNECTED:0 ', 'urc'],
    // The other final results of the TCP/IP, MQTT and HTTP commands.
    ['SET OK', 'final-success'],
    ['+MQTTPUB:OK', 'final-success'],
    ['+MQTTPUB:FAIL', 'final-failure'],
    ['SEND CANCELLED', 'final-failure'],
    // Socket, MQTT and SoftAP messages are unsolicited: no command's response takes them.
    ['CONNECT', 'urc'],
    ['0,CONNECT', 'urc'],
    ['4,CLOSED', 'urc'],
    ['CLOSED', 'urc'],
    ['CONNECT FAIL', 'urc'],
    ['+IPD,0,100', 'urc'],
    ['+IPD,100', 'urc'],
    ['+QUITT', 'urc'],
    ['+MQTTCONNECTED:0,1,"127.0.0.1","1883","",1', 'urc'],
    ['+MQTTDISCONNECTED:0', 'urc'],
    ['+LINK_CONN:0,0,"TCP",0,"127.0.0.1",8080,50000', 'urc'],
    ['+STA_CONNECTED:"aa:bb:cc:dd:ee:ff"', 'urc'],
    ['+DIST_STA_IP:"aa:bb:cc:dd:ee:ff","192.168.4.2"', 'urc'],
    ['+CWMODE:1', 'info'],
    ['+CWJAP:2', 'info'],
    ['+CIPSNTPTIME:Wed Nov 13 17:00:15 2024', 'info'],
    ['NO CERT FOUND', 'info'],
    ['AT version:3.3.0.0(3b13d04 - ESP32C3 - May  8 2024 08:21:54)', 'info'],
  ] as const)('%j is %s', (text, kind) => {
    expect(lineKind(text)).toBe(kind)
  })

  it.each([
    // Results are whole lines: anything before them, or other text, makes another line.
    ' OK',
    'ok',
    'OKAY',
    'ERROR:',
    'ready!',
    'busy p..',
    // ERR CODE has exactly 8 hex digits; +WS_ URCs carry a link number.
    'ERR CODE:0x0109',
    'ERR CODE:0x010900001',
    'ERR CODE:',
    '+WS_CONNECTED:',
    '+WS_CLOSED:x',
    // A +WS_DATA line that the framer could not read by length is shown as it is.
    '+WS_DATA:abc',
  ])('%j is info', (text) => {
    expect(lineKind(text)).toBe('info')
  })

  it('final results are the successes and the failures, not busy', () => {
    expect(isFinal('final-success')).toBe(true)
    expect(isFinal('final-failure')).toBe(true)
    expect(isFinal('busy')).toBe(false)
    expect(isFinal('urc')).toBe(false)
  })
})

describe('linkLoss', () => {
  it.each([
    ['+WS_CLOSED:1', { kind: 'ws', link: 1 }],
    ['+WS_DISCONNECTED:0', { kind: 'ws', link: 0 }],
    ['3,CLOSED', { kind: 'ipd', link: 3 }],
    ['CLOSED', { kind: 'ipd' }],
    ['+MQTTDISCONNECTED:0', { kind: 'mqtt', link: 0 }],
    ['0,CONNECT', undefined],
    ['OK', undefined],
  ] as const)('%j loses %j', (text, loss) => {
    expect(linkLoss(text)).toEqual(loss)
  })
})
