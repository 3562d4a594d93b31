import { describe, expect, it } from 'vitest'
import type { ExchangeMode } from '../../src/protocol/exchange.ts'
import { Exchange } from '../../src/protocol/exchange.ts'
import { Framer } from '../../src/protocol/framer.ts'
import { Inbox, toEntry } from '../../src/protocol/inbox.ts'
import type { Matcher } from '../../src/protocol/matchers.ts'
import { dataMatcher, lineMatcher, regexMatcher } from '../../src/protocol/matchers.ts'
import { bin } from './helpers.ts'

type Expectation = string | RegExp | { data: string; link?: number } | Matcher

function matcher(e: Expectation): Matcher {
  if (typeof e === 'string') return lineMatcher(e)
  if (e instanceof RegExp) return regexMatcher(e)
  if ('offer' in e) return e
  return dataMatcher(bin(e.data), e.link === undefined ? {} : { link: e.link }, `data ${JSON.stringify(e.data)}`)
}

/**
 * A device conversation without clocks: what the device writes is framed into the inbox and fed to
 * the running step as the session does (a `wait` sees the whole inbox, other steps what arrived
 * after they began); a step that ends takes the entries it consumed out of the inbox.
 */
function conversation() {
  const framer = new Framer()
  const inbox = new Inbox()
  let seq = 0
  let step: { exchange: Exchange; offered: number } | undefined

  const feed = () => {
    if (!step) return
    for (const entry of inbox.since(step.offered)) {
      step.offered = entry.seq + 1
      step.exchange.offer(entry)
      if (step.exchange.status !== 'pending') break
    }
  }
  const end = () => {
    if (step) inbox.remove(step.exchange.consumed)
    step = undefined
  }
  const start = (mode: ExchangeMode, expectations: Expectation[]) => {
    end()
    const exchange = new Exchange({ mode, matchers: expectations.map(matcher), startSeq: seq })
    step = { exchange, offered: mode === 'wait' ? 0 : exchange.startSeq }
    feed()
    return exchange
  }

  return {
    /** The device writes these bytes (C-like string or raw bytes). */
    device(bytes: string | Uint8Array) {
      for (const record of framer.push(typeof bytes === 'string' ? bin(bytes) : bytes)) inbox.add(toEntry(record, seq++, 0))
      feed()
    },
    /** The host writes a command line; the step waits for its expectations. */
    send(command: string, ...expectations: Expectation[]) {
      framer.expectEcho(command)
      return start('command', expectations.length > 0 ? expectations : ['OK'])
    },
    payload: (...expectations: Expectation[]) => start('payload', expectations),
    wait: (...expectations: Expectation[]) => start('wait', expectations),
    /** Ends the running step (as the session does when it settles or times out). */
    end,
    /** What is left in the inbox, as text. */
    left: () => inbox.since(0).map((e) => e.text),
    consumedTexts(exchange: Exchange, all: readonly { seq: number; text: string }[]) {
      return all.filter((e) => exchange.consumed.has(e.seq)).map((e) => e.text)
    },
    get mark() {
      return seq
    },
  }
}

describe('Exchange: command steps', () => {
  it('AT: passes on OK, consumes the echo and the OK', () => {
    const c = conversation()
    const step = c.send('AT')
    c.device('AT\r\n')
    expect(step.status).toBe('pending')
    c.device('\r\nOK\r\n')
    expect(step.status).toBe('passed')
    expect(step.matches.map((m) => m.entry.text)).toEqual(['OK'])
    c.end()
    expect(c.left()).toEqual([])
  })

  it('an unexpected ERROR fails at once, with the ERR CODE before it attached', () => {
    const c = conversation()
    const step = c.send('AT+FAKE', 'OK')
    c.device('AT+FAKE\r\nERR CODE:0x01090000\r\n')
    expect(step.status).toBe('pending')
    c.device('\r\nERROR\r\n')
    expect(step.status).toBe('failed')
    expect(step.failure).toMatchObject({ reason: 'unexpected-result', errCode: '0x01090000', entry: { text: 'ERROR', kind: 'final-failure' } })
    c.end()
    expect(c.left()).toEqual([])
  })

  it('an unexpected ERROR without ERR CODE (SYSLOG off) has no code', () => {
    const c = conversation()
    const step = c.send('AT+WSCFG?')
    c.device('AT+WSCFG?\r\n\r\nERROR\r\n')
    expect(step.status).toBe('failed')
    expect(step.failure).toMatchObject({ reason: 'unexpected-result', entry: { text: 'ERROR' } })
    expect(step.failure && 'errCode' in step.failure ? step.failure.errCode : undefined).toBeUndefined()
  })

  it('SEND FAIL not expected fails at once', () => {
    const c = conversation()
    const step = c.payload('SEND OK')
    c.device('\r\nSEND FAIL\r\n')
    expect(step.failure).toMatchObject({ reason: 'unexpected-result', entry: { text: 'SEND FAIL' } })
  })

  it('ERROR named in the expectations passes (a negative test), with the info line before it', () => {
    const c = conversation()
    const step = c.send('AT+CWJAP="ap","bad"', /^\+CWJAP:(?<code>\d)$/, 'ERROR')
    c.device('AT+CWJAP="ap","bad"\r\n+CWJAP:2\r\n\r\nERROR\r\n')
    expect(step.status).toBe('passed')
    expect(step.captures).toEqual({ code: '2' })
    c.end()
    expect(c.left()).toEqual([])
  })

  it('waits for the final result after its expectations are met', () => {
    const c = conversation()
    const step = c.send('AT+WSOPEN=0,"ws://h:1"', '+WS_CONNECTED:0')
    c.device('AT+WSOPEN=0,"ws://h:1"\r\n+WS_CONNECTED:0\r\n')
    expect(step.matched).toBe(1)
    expect(step.finished).toBe(false)
    expect(step.status).toBe('pending')
    c.device('\r\nOK\r\n')
    expect(step.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual([])
  })

  it('after the expectations are met, an ERROR instead of OK still fails', () => {
    const c = conversation()
    const step = c.send('AT+CWJAP="ap","pw"', 'WIFI CONNECTED')
    c.device('AT+CWJAP="ap","pw"\r\nWIFI CONNECTED\r\n+CWJAP:1\r\nWIFI DISCONNECT\r\n\r\nERROR\r\n')
    expect(step.failure).toMatchObject({ reason: 'unexpected-result', entry: { text: 'ERROR' } })
  })

  it('passes at once when the final result came before the last expectation (a URC after OK)', () => {
    const c = conversation()
    const step = c.send('AT+CIPSNTPCFG=1,800', 'OK', '+TIME_UPDATED')
    c.device('AT+CIPSNTPCFG=1,800\r\n\r\nOK\r\n')
    expect(step.status).toBe('pending')
    c.device('+TIME_UPDATED\r\n')
    expect(step.status).toBe('passed')
  })

  it('expectations are met in order, with other lines in between', () => {
    const c = conversation()
    const step = c.send('AT+CWJAP="ap","pw"', 'WIFI CONNECTED', 'WIFI GOT IP', 'OK')
    c.device('AT+CWJAP="ap","pw"\r\nWIFI GOT IP\r\nWIFI CONNECTED\r\n\r\nOK\r\n')
    // GOT IP came first, so it cannot count for the second expectation; once OK has ended the
    // command, the expected OK can never come: the step fails at once rather than at its timeout.
    expect(step.matched).toBe(1)
    expect(step.finished).toBe(true)
    expect(step.status).toBe('failed')
    expect(step.failure).toMatchObject({ reason: 'unexpected-result', entry: { text: 'OK' } })
    expect(step.waitingFor?.label).toBe('WIFI GOT IP')
  })

  it('ERROR expected but OK came: fails at once, the command is over', () => {
    const c = conversation()
    const step = c.send('AT+CWMODE=1', 'ERROR')
    c.device('AT+CWMODE=1\r\n\r\nOK\r\n')
    expect(step.status).toBe('failed')
    expect(step.failure).toMatchObject({ reason: 'unexpected-result', entry: { text: 'OK' } })
  })

  it('SEND OK expected in the command step: the prompt ends the command, so it fails at once', () => {
    const c = conversation()
    const step = c.send('AT+WSSEND=0,4', 'OK', '>', 'SEND OK')
    c.device('AT+WSSEND=0,4\r\n\r\nOK\r\n\r\n>')
    expect(step.status).toBe('failed')
    expect(step.failure).toMatchObject({ reason: 'unexpected-result', entry: { kind: 'prompt' } })
  })

  it('a URC still expected after OK keeps the step waiting', () => {
    const c = conversation()
    const step = c.send('AT+WSOPEN=0,"ws://h"', 'OK', '+WS_DATA:0,2,hi')
    c.device('AT+WSOPEN=0,"ws://h"\r\n+WS_CONNECTED:0\r\n\r\nOK\r\n')
    expect(step.status).toBe('pending')
  })

  it('the echo is never matched as a response, even by a regex that fits it', () => {
    const c = conversation()
    const step = c.send('AT+GMR', /^AT/, 'OK')
    c.device('AT+GMR\r\nAT version:3.3.0.0(3b13d04 - ESP32C3 - May  8 2024 08:21:54)\r\nSDK version:v5.0.6\r\n\r\nOK\r\n')
    expect(step.status).toBe('passed')
    expect(step.matches[0]?.entry.text).toMatch(/^AT version:/)
  })

  it('only matches what arrived after the command was written', () => {
    const c = conversation()
    c.device('\r\nOK\r\n') // a stray OK before the step
    const step = c.send('AT+CWMODE=1')
    expect(step.status).toBe('pending')
    c.device('AT+CWMODE=1\r\n\r\nOK\r\n')
    expect(step.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual(['OK'])
  })

  it('the prompt ends a command: [OK, ">"] passes at the >', () => {
    const c = conversation()
    const step = c.send('AT+WSSEND=0,4', 'OK', '>')
    c.device('AT+WSSEND=0,4\r\n\r\nOK\r\n\r\n')
    expect(step.status).toBe('pending')
    c.device('>')
    expect(step.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual([])
  })

  it('[">"] alone: the OK before it is part of the response', () => {
    const c = conversation()
    const step = c.send('AT+WSSEND=0,4', '>')
    c.device('AT+WSSEND=0,4\r\n\r\nOK\r\n\r\n>')
    expect(step.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual([])
  })

  it('a send to a link that is not open fails at once (no prompt)', () => {
    const c = conversation()
    const step = c.send('AT+WSSEND=1,4', 'OK', '>')
    c.device('AT+WSSEND=1,4\r\n\r\nERROR\r\n')
    expect(step.failure).toMatchObject({ reason: 'unexpected-result', entry: { text: 'ERROR' } })
  })

  it('busy p... not expected fails at once (command while another runs), ERR CODE attached', () => {
    const c = conversation()
    c.send('AT+CWJAP="ap","pw"')
    c.device('AT+CWJAP="ap","pw"\r\n')
    c.end() // timed out, say
    const step = c.send('AT')
    c.device('ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n')
    expect(step.failure).toMatchObject({ reason: 'unexpected-result', errCode: '0x010b0000', entry: { text: 'busy p...', kind: 'busy' } })
  })

  it('busy p... named for a command: the rejection ends it', () => {
    const c = conversation()
    const step = c.send('AT', 'busy p...')
    c.device('\r\nbusy p...\r\n')
    expect(step.status).toBe('passed')
  })

  it('info lines of the response are consumed, those after the final result are not', () => {
    const c = conversation()
    const step = c.send('AT+CIPSTA?', /^\+CIPSTA:ip:"(?<ip>[\d.]+)"$/)
    c.device('AT+CIPSTA?\r\n+CIPSTA:ip:"192.168.1.23"\r\n+CIPSTA:gateway:"192.168.1.1"\r\n+CIPSTA:netmask:"255.255.255.0"\r\n\r\nOK\r\n')
    expect(step.status).toBe('passed')
    expect(step.captures).toEqual({ ip: '192.168.1.23' })
    c.device('+CIPSTA:late\r\n')
    c.end()
    expect(c.left()).toEqual(['+CIPSTA:late'])
  })

  it('an ERR CODE annotates only the next result: a named busy takes it', () => {
    const c = conversation()
    const step = c.payload('busy p...', 'SEND OK')
    c.device('ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n\r\nERROR\r\n')
    expect(step.failure).toMatchObject({ reason: 'unexpected-result', entry: { text: 'ERROR' } })
    expect(step.failure && 'errCode' in step.failure ? step.failure.errCode : undefined).toBeUndefined()
  })

  it('an ERR CODE is dropped by the result after it, so a later ERROR has none', () => {
    const c = conversation()
    const step = c.send('AT+X', 'OK', '+WS_CONNECTED:0')
    c.device('AT+X\r\nERR CODE:0x01090000\r\n\r\nOK\r\n')
    expect(step.status).toBe('pending')
    c.device('\r\nERROR\r\n')
    expect(step.failure).toMatchObject({ reason: 'unexpected-result', entry: { text: 'ERROR' } })
    expect(step.failure && 'errCode' in step.failure ? step.failure.errCode : undefined).toBeUndefined()
  })
})

describe('Exchange: payload steps', () => {
  it('passes on SEND OK', () => {
    const c = conversation()
    const step = c.payload('SEND OK')
    c.device('\r\nSEND OK\r\n')
    expect(step.status).toBe('passed')
  })

  it('too many payload bytes: busy p... before SEND OK fails the step, with ERR CODE', () => {
    const c = conversation()
    const step = c.payload('SEND OK')
    c.device('ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n\r\nSEND OK\r\n')
    expect(step.failure).toMatchObject({ reason: 'unexpected-result', errCode: '0x010b0000', entry: { text: 'busy p...' } })
  })

  it('a named busy p... after a payload does not end it: SEND OK still comes', () => {
    const c = conversation()
    const step = c.payload('busy p...')
    c.device('\r\nbusy p...\r\n')
    expect(step.status).toBe('pending')
    c.device('\r\nSEND OK\r\n')
    expect(step.status).toBe('passed')
  })
})

describe('Exchange: unsolicited lines stay for a later wait', () => {
  it('URCs and +WS_DATA that arrive during a command are not consumed; a wait finds them', () => {
    const c = conversation()
    const step = c.send('AT+CWMODE?', '+CWMODE:1', 'OK')
    c.device('AT+CWMODE?\r\nWIFI GOT IP\r\n+CWMODE:1\r\n+WS_DATA:0,4,test\r\n+TIME_UPDATED\r\n\r\nOK\r\n')
    expect(step.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual(['WIFI GOT IP', '+WS_DATA:0,4,test', '+TIME_UPDATED'])

    const wait = c.wait('+WS_DATA:0,4,test')
    expect(wait.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual(['WIFI GOT IP', '+TIME_UPDATED'])
  })

  it('a wait sees entries from before its start, in order, and then new ones', () => {
    const c = conversation()
    c.device('+WS_CONNECTED:0\r\n')
    const wait = c.wait('+WS_CONNECTED:0', '+WS_DATA:0,2,hi')
    expect(wait.matched).toBe(1)
    expect(wait.status).toBe('pending')
    c.device('+WS_DATA:0,2,hi\r\n')
    expect(wait.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual([])
  })

  it('a wait does not fail on results: old or new ERROR, busy and ready are just lines to it', () => {
    const c = conversation()
    c.device('\r\nready\r\n\r\nERROR\r\n')
    const wait = c.wait('+TIME_UPDATED')
    c.device('\r\nbusy p...\r\n\r\nERROR\r\n')
    expect(wait.status).toBe('pending')
    c.device('+TIME_UPDATED\r\n')
    expect(wait.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual(['ready', 'ERROR', 'busy p...', 'ERROR'])
  })

  it('a wait with nothing to wait for passes at once', () => {
    expect(conversation().wait().status).toBe('passed')
  })
})

describe('Exchange: +WS_DATA messages in chunks', () => {
  it('concatenates consecutive chunks on the link and consumes them all', () => {
    const c = conversation()
    const wait = c.wait({ data: 'hello world', link: 0 })
    c.device('+WS_DATA:0,5,hello\r\n')
    expect(wait.status).toBe('pending')
    c.device('+WS_DATA:0,6, world\r\n')
    expect(wait.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual([])
  })

  it('other records and other links between the chunks are skipped and left in the inbox', () => {
    const c = conversation()
    const wait = c.wait({ data: 'abcdef', link: 0 })
    c.device('+WS_DATA:0,2,ab\r\nWIFI GOT IP\r\n+WS_DATA:1,2,cd\r\n+WS_DATA:0,2,cd\r\n+WS_DATA:0,2,ef\r\n')
    expect(wait.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual(['WIFI GOT IP', '+WS_DATA:1,2,cd'])
  })

  it('binary bytes, chunks before the step began', () => {
    const c = conversation()
    c.device('+WS_DATA:2,3,\x01\r\n\r\n+WS_DATA:2,2,\x00\xFF\r\n')
    const wait = c.wait({ data: '\x01\r\n\x00\xFF', link: 2 })
    expect(wait.status).toBe('passed')
  })

  it('a broken partial match starts again: the chunks of the failed attempt stay', () => {
    const c = conversation()
    const wait = c.wait({ data: 'abcde', link: 0 })
    c.device('+WS_DATA:0,2,ab\r\n+WS_DATA:0,1,x\r\n')
    expect(wait.status).toBe('pending')
    c.device('+WS_DATA:0,2,ab\r\n')
    expect(wait.status).toBe('pending')
    c.device('+WS_DATA:0,3,cde\r\n')
    expect(wait.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual(['+WS_DATA:0,2,ab', '+WS_DATA:0,1,x'])
  })

  it('a chunk that breaks a run may itself start the message', () => {
    const c = conversation()
    const wait = c.wait({ data: 'abcde', link: 0 })
    c.device('+WS_DATA:0,2,ab\r\n+WS_DATA:0,2,ab\r\n+WS_DATA:0,3,cde\r\n')
    expect(wait.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual(['+WS_DATA:0,2,ab'])
  })

  it('overlapping starts: the run that started later can still complete', () => {
    const c = conversation()
    const wait = c.wait({ data: 'aaab', link: 0 })
    c.device('+WS_DATA:0,1,a\r\n'.repeat(4))
    expect(wait.status).toBe('pending')
    c.device('+WS_DATA:0,1,b\r\n')
    expect(wait.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual(['+WS_DATA:0,1,a'])
  })

  it('a chunk longer than what is left of the message does not match', () => {
    const c = conversation()
    const wait = c.wait({ data: 'test', link: 0 })
    c.device('+WS_DATA:0,2,te\r\n+WS_DATA:0,4,stxx\r\n')
    expect(wait.status).toBe('pending')
    c.end()
    expect(c.left()).toHaveLength(2)
  })

  it('without a link, chunks of different links are never joined', () => {
    const c = conversation()
    const wait = c.wait({ data: 'abcd' })
    c.device('+WS_DATA:0,2,ab\r\n+WS_DATA:1,2,cd\r\n')
    expect(wait.status).toBe('pending')
    c.device('+WS_DATA:0,2,cd\r\n')
    expect(wait.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual(['+WS_DATA:1,2,cd'])
  })

  it('an empty message', () => {
    const c = conversation()
    const wait = c.wait({ data: '', link: 0 })
    c.device('+WS_DATA:0,3,abc\r\n+WS_DATA:0,0,\r\n')
    expect(wait.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual(['+WS_DATA:0,3,abc'])
  })

  it('a data expectation in a payload step: SEND OK, then the echo of the server', () => {
    const c = conversation()
    const step = c.payload('SEND OK', { data: 'test', link: 0 })
    c.device('\r\nSEND OK\r\n+WS_DATA:0,2,te\r\n')
    expect(step.status).toBe('pending')
    c.device('+WS_DATA:0,2,st\r\n')
    expect(step.status).toBe('passed')
    c.end()
    expect(c.left()).toEqual([])
  })

  it('a matcher reused by a later exchange (a retried step) starts afresh', () => {
    const c = conversation()
    const shared = dataMatcher(bin('abcd'), { link: 0 }, 'data abcd')
    c.wait(shared)
    c.device('+WS_DATA:0,2,ab\r\n')
    c.end() // timed out, with ab held by the matcher
    expect(c.wait('+WS_DATA:0,2,ab').status).toBe('passed') // another step takes ab
    c.end()
    const retry = c.wait(shared)
    c.device('+WS_DATA:0,2,cd\r\n')
    expect(retry.status).toBe('pending')
    c.end()
    expect(c.left()).toEqual(['+WS_DATA:0,2,cd'])
  })
})

describe('Exchange: the device restarts', () => {
  it('ready in the middle of a command fails the step with rebooted', () => {
    const c = conversation()
    const step = c.send('AT+CWJAP="ap","pw"')
    c.device('AT+CWJAP="ap","pw"\r\nWIFI CONNECTED\r\n\r\nready\r\n')
    expect(step.failure).toMatchObject({ reason: 'rebooted', entry: { text: 'ready' } })
  })

  it('ready in the middle of a wait fails it too', () => {
    const c = conversation()
    const wait = c.wait('+WS_CONNECTED:0')
    c.device('\r\nready\r\n')
    expect(wait.failure).toMatchObject({ reason: 'rebooted' })
  })

  it('ready named in the expectations is no failure (AT+RST)', () => {
    const c = conversation()
    const step = c.send('AT+RST', 'OK', 'ready')
    c.device('AT+RST\r\n\r\nOK\r\n')
    expect(step.status).toBe('pending')
    c.device('\r\nready\r\n')
    expect(step.status).toBe('passed')
  })

  it('a ready from before a wait began is no failure', () => {
    const c = conversation()
    c.device('\r\nready\r\n')
    const wait = c.wait('WIFI GOT IP')
    c.device('WIFI GOT IP\r\n')
    expect(wait.status).toBe('passed')
  })
})

describe('Exchange: a needed link is lost', () => {
  it('+WS_CLOSED:n fails a wait for data on link n', () => {
    const c = conversation()
    const wait = c.wait({ data: 'test', link: 0 })
    c.device('+WS_DATA:0,2,te\r\n+WS_CLOSED:0\r\n')
    expect(wait.failure).toMatchObject({ reason: 'link-lost', link: 0, entry: { text: '+WS_CLOSED:0' } })
  })

  it('+WS_DISCONNECTED:n fails a wait for a +WS_DATA line on link n', () => {
    const c = conversation()
    const wait = c.wait('+WS_DATA:1,4,test')
    c.device('+WS_DISCONNECTED:1\r\n')
    expect(wait.failure).toMatchObject({ reason: 'link-lost', link: 1 })
  })

  it('a later expectation that needs the link counts too', () => {
    const c = conversation()
    const step = c.payload('SEND OK', { data: 'test', link: 2 })
    c.device('+WS_DISCONNECTED:2\r\n')
    expect(step.failure).toMatchObject({ reason: 'link-lost', link: 2 })
  })

  it('the loss of another link, or of a link no expectation needs, is no failure', () => {
    const c = conversation()
    const wait = c.wait({ data: 'test', link: 0 }, '+WS_CONNECTED:1')
    c.device('+WS_DISCONNECTED:1\r\n+WS_CLOSED:2\r\n')
    expect(wait.status).toBe('pending')
    c.device('+WS_DATA:0,4,test\r\n')
    expect(wait.status).toBe('pending')
    c.device('+WS_CONNECTED:1\r\n')
    expect(wait.status).toBe('passed')
  })

  it('once the data has come, the loss of its link no longer matters', () => {
    const c = conversation()
    const wait = c.wait({ data: 'test', link: 0 }, '+WS_CLOSED:0')
    c.device('+WS_DATA:0,4,test\r\n+WS_CLOSED:0\r\n')
    expect(wait.status).toBe('passed')
  })

  it('a failed WSOPEN: +WS_DISCONNECTED then ERROR is an unexpected result, not a lost link', () => {
    const c = conversation()
    const step = c.send('AT+WSOPEN=0,"ws://h:1"', '+WS_CONNECTED:0', 'OK')
    c.device('AT+WSOPEN=0,"ws://h:1"\r\n+WS_DISCONNECTED:0\r\n\r\nERROR\r\n')
    expect(step.failure).toMatchObject({ reason: 'unexpected-result', entry: { text: 'ERROR' } })
  })
})

describe('Exchange: what can no longer come after the final result', () => {
  it('a missing information line of the command itself fails at once after OK', () => {
    const entries = [
      { kind: 'echo', text: 'AT+CWMODE?' },
      { kind: 'info', text: '+CWMODE:1' },
      { kind: 'final-success', text: 'OK' },
    ] as const
    const ex = new Exchange({ mode: 'command', matchers: [lineMatcher('+CWMODE:2')], startSeq: 0, commandName: '+CWMODE' })
    entries.forEach((e, seq) => ex.offer({ seq, at: seq, record: { kind: 'line', text: e.text }, kind: e.kind, text: e.text }))
    expect(ex.status).toBe('failed')
    expect(ex.failure).toMatchObject({ reason: 'unexpected-result', entry: { text: 'OK' } })
  })

  it('the start-up banner before the first answer is consumed, not a reboot', () => {
    const ex = new Exchange({ mode: 'command', matchers: [lineMatcher('OK')], startSeq: 0, bootBannerExpected: true })
    ex.offer({ seq: 0, at: 0, record: { kind: 'line', text: 'ready' }, kind: 'ready', text: 'ready' })
    ex.offer({ seq: 1, at: 1, record: { kind: 'line', text: 'OK' }, kind: 'final-success', text: 'OK' })
    expect(ex.status).toBe('passed')
    expect(ex.consumed.has(0)).toBe(true)
  })
})
