import { describe, expect, it } from 'vitest'
import { isFinal, lineKind } from '../../src/protocol/line-kinds.ts'

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
    ['+CWMODE:1', 'info'],
    ['+CWJAP:2', 'info'],
    ['+CIPSNTPTIME:Wed Nov 13 17:00:15 2024', 'info'],
    ['NO CERT FOUND', 'info'],
    ['AT version:3.3.0.0(3b13d04 - ESP32C3 - May  8 2024 08:21:54)', 'info'],
  ] as const)('%j is %s', (text, kind) => {
    expect(lineKind(text)).toBe(kind)
  })

  it.each([
    // Results are whole lines: anything around them makes another line.
    'OK ',
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
    '+WS_CONNECTED:0 ',
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
