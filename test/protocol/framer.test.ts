import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Framer } from '../../src/protocol/framer.ts'
import type { Plain, Turn } from './helpers.ts'
import { bin, byteByByte, cut, data, echo, frame, frameBytes, framed, line, plain, prompt, randomCut, raw, rng, truncated } from './helpers.ts'
import { cuts, garbage, stream } from './framer-arbitraries.ts'

const PROMPT = '\r\nOK\r\n\r\n>'

/**
 * The same turns, fed whole, one byte at a time and in many seeded random splits, give the same
 * records; returns them.
 */
function framedEveryWay(turns: readonly Turn[], iterations = 300): Plain[] {
  const whole = frame(turns)
  expect(frame(turns, byteByByte)).toEqual(whole)
  for (let seed = 1; seed <= iterations; seed++) {
    const random = rng(seed)
    const split = (bytes: Uint8Array) => randomCut(bytes, random)
    const got = frame(turns, split)
    if (JSON.stringify(got) !== JSON.stringify(whole)) expect({ seed, got }).toEqual({ seed, got: whole })
  }
  return whole
}

describe('Framer: worked byte streams of reference §11', () => {
  it('open, send, echo back, close cleanly', () => {
    const turns: Turn[] = [
      { echo: 'AT+WSCFG=0,30,60,4096', device: bin('AT+WSCFG=0,30,60,4096\r\n\r\nOK\r\n') },
      { echo: 'AT+WSOPEN=0,"ws://192.168.1.10:8765"', device: bin('AT+WSOPEN=0,"ws://192.168.1.10:8765"\r\n+WS_CONNECTED:0\r\n\r\nOK\r\n') },
      { echo: 'AT+WSSEND=0,4', device: bin(`AT+WSSEND=0,4\r\n${PROMPT}`) },
      { device: bin('\r\nSEND OK\r\n') },
      { device: bin('+WS_DATA:0,4,test\r\n') },
      { echo: 'AT+WSSEND=0,2,8', device: bin(`AT+WSSEND=0,2,8\r\n${PROMPT}`) },
      { device: bin('\r\nSEND OK\r\n') },
      { device: bin('+WS_CLOSED:0\r\n') },
    ]
    expect(framedEveryWay(turns)).toEqual([
      echo('AT+WSCFG=0,30,60,4096'),
      line('OK'),
      echo('AT+WSOPEN=0,"ws://192.168.1.10:8765"'),
      line('+WS_CONNECTED:0'),
      line('OK'),
      echo('AT+WSSEND=0,4'),
      line('OK'),
      prompt,
      line('SEND OK'),
      data(0, 'test'),
      echo('AT+WSSEND=0,2,8'),
      line('OK'),
      prompt,
      line('SEND OK'),
      line('+WS_CLOSED:0'),
    ])
  })

  it('the same conversation as one stream (echo off), whatever the chunking', () => {
    const stream = bin(`\r\nOK\r\n+WS_CONNECTED:0\r\n\r\nOK\r\n${PROMPT}\r\nSEND OK\r\n+WS_DATA:0,4,test\r\n${PROMPT}\r\nSEND OK\r\n+WS_CLOSED:0\r\n`)
    expect(framedEveryWay([{ device: stream }])).toEqual([
      line('OK'), line('+WS_CONNECTED:0'), line('OK'), line('OK'), prompt, line('SEND OK'), data(0, 'test'), line('OK'), prompt, line('SEND OK'), line('+WS_CLOSED:0'),
    ])
  })

  it('too many payload bytes (SYSLOG on): ERR CODE, busy p..., then SEND OK', () => {
    const turns: Turn[] = [
      { echo: 'AT+WSSEND=0,4', device: bin(`AT+WSSEND=0,4\r\n${PROMPT}`) },
      { device: bin('ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n\r\nSEND OK\r\n') },
    ]
    expect(framedEveryWay(turns)).toEqual([echo('AT+WSSEND=0,4'), line('OK'), prompt, line('ERR CODE:0x010b0000'), line('busy p...'), line('SEND OK')])
  })

  it('binary receive containing CR LF: 01 0D 0A 00 FF', () => {
    const records = framedEveryWay([{ device: bin('+WS_DATA:0,5,\x01\r\n\x00\xFF\r\n') }])
    expect(records).toEqual([data(0, [0x01, 0x0d, 0x0a, 0x00, 0xff])])
  })

  it('command while another runs: busy p..., then the URCs and OK of the first', () => {
    const turns: Turn[] = [
      { echo: 'AT+CWJAP="ap","pw"', device: bin('AT+CWJAP="ap","pw"\r\n') },
      { echo: 'AT', device: bin('\r\nbusy p...\r\n') },
      { device: bin('WIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n') },
    ]
    expect(framedEveryWay(turns)).toEqual([echo('AT+CWJAP="ap","pw"'), line('busy p...'), line('WIFI CONNECTED'), line('WIFI GOT IP'), line('OK')])
  })

  it('SNTP: an info line without its own CR LF, so no blank line before OK', () => {
    const turns: Turn[] = [
      { echo: 'AT+CIPSNTPCFG=1,800,"pool.ntp.org"', device: bin('AT+CIPSNTPCFG=1,800,"pool.ntp.org"\r\n\r\nOK\r\n') },
      { device: bin('+TIME_UPDATED\r\n') },
      { echo: 'AT+CIPSNTPTIME?', device: bin('AT+CIPSNTPTIME?\r\n+CIPSNTPTIME:Wed Nov 13 17:00:15 2024\r\nOK\r\n') },
    ]
    expect(framedEveryWay(turns)).toEqual([
      echo('AT+CIPSNTPCFG=1,800,"pool.ntp.org"'), line('OK'), line('+TIME_UPDATED'), echo('AT+CIPSNTPTIME?'), line('+CIPSNTPTIME:Wed Nov 13 17:00:15 2024'), line('OK'),
    ])
  })

  it('other wire forms of §2: AT, an info line, the boot banner, an unknown command with SYSLOG on', () => {
    const turns: Turn[] = [
      { device: bin('\r\nready\r\n') },
      { echo: 'AT', device: bin('AT\r\n\r\nOK\r\n') },
      { echo: 'AT+CWMODE?', device: bin('AT+CWMODE?\r\n+CWMODE:1\r\n\r\nOK\r\n') },
      { echo: 'AT+FAKE', device: bin('AT+FAKE\r\nERR CODE:0x01090000\r\n\r\nERROR\r\n') },
    ]
    expect(framedEveryWay(turns)).toEqual([line('ready'), echo('AT'), line('OK'), echo('AT+CWMODE?'), line('+CWMODE:1'), line('OK'), echo('AT+FAKE'), line('ERR CODE:0x01090000'), line('ERROR')])
  })
})

describe('Framer: the prompt', () => {
  it('is reported as soon as its 9th byte arrives, with nothing after the >', () => {
    const framer = new Framer()
    const bytes = bin(PROMPT)
    expect(bytes).toHaveLength(9)
    const perByte = byteByByte(bytes).map((b) => plain(framer.push(b)))
    expect(perByte.slice(0, 5).flat()).toEqual([])
    expect(perByte[5]).toEqual([line('OK')]) // the LF that ends OK
    expect(perByte.slice(6, 8).flat()).toEqual([])
    expect(perByte[8]).toEqual([prompt])
    expect(framer.end()).toEqual([])
  })

  it('whole: OK and the prompt from one push, and nothing pending', () => {
    const framer = new Framer()
    expect(plain(framer.push(bin(PROMPT)))).toEqual([line('OK'), prompt])
    expect(framer.end()).toEqual([])
  })

  it('the output after the payload starts a fresh line', () => {
    expect(frameBytes(`${PROMPT}ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n`)).toEqual([line('OK'), prompt, line('ERR CODE:0x010b0000'), line('busy p...')])
  })

  it('a > inside a line is text', () => {
    expect(frameBytes('+CWJAP:"a>b"\r\n')).toEqual([line('+CWJAP:"a>b"')])
  })
})

describe('Framer: +WS_DATA is read by length', () => {
  it('a zero-length frame', () => {
    expect(framedEveryWay([{ device: bin('+WS_DATA:0,0,\r\nOK\r\n') }])).toEqual([data(0, []), line('OK')])
  })

  it('a zero-length frame at the very end, without its CR LF', () => {
    expect(frameBytes('+WS_DATA:2,0,')).toEqual([data(2, [])])
  })

  it('a payload that itself holds a +WS_DATA line is payload, not a second record', () => {
    const payload = '\r\n+WS_DATA:1,2,xx\r\n'
    expect(payload).toHaveLength(19)
    const records = framedEveryWay([{ device: bin(`+WS_DATA:0,19,${payload}\r\n+WS_DATA:1,2,yy\r\nOK\r\n`) }])
    expect(records).toEqual([data(0, payload), data(1, 'yy'), line('OK')])
  })

  it('payload bytes that look like the end of the frame, a prompt and NUL', () => {
    const payload = '\r\n\r\n>\x00,,\r'
    expect(framedEveryWay([{ device: bin(`+WS_DATA:1,${payload.length},${payload}\r\n>`) }])).toEqual([data(1, payload), prompt])
  })

  it('the trailing CR LF is swallowed when present and not required', () => {
    expect(frameBytes('+WS_DATA:0,2,ab+WS_DATA:0,2,cd\nWIFI GOT IP\r\n+WS_DATA:0,1,e\r+TIME_UPDATED\r\n')).toEqual([
      data(0, 'ab'), data(0, 'cd'), line('WIFI GOT IP'), data(0, 'e'), line('+TIME_UPDATED'),
    ])
  })

  it('a long binary payload, all 256 byte values, fed in every way', () => {
    const payload = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7 + (i >> 8)) & 0xff))
    const stream = Buffer.concat([bin(`+WS_DATA:2,${payload.length},`), payload, bin('\r\n+WS_DATA:2,0,\r\n\r\nOK\r\n')])
    expect(framedEveryWay([{ device: stream }], 50)).toEqual([data(2, Array.from(payload)), data(2, []), line('OK')])
  })

  it('the record owns its bytes: the pushed chunk may be reused', () => {
    const framer = new Framer()
    const chunk = bin('+WS_DATA:0,4,test\r\n')
    const [record] = framer.push(chunk)
    chunk.fill(0)
    expect(plain(record ? [record] : [])).toEqual([data(0, 'test')])
  })

  it.each([
    ['+WS_DATA:abc', [line('+WS_DATA:abc')]],
    ['+WS_DATA:0,abc', [line('+WS_DATA:0,abc')]],
    ['+WS_DATA:0,', [line('+WS_DATA:0,')]],
    ['+WS_DATA:0,4', [line('+WS_DATA:0,4')]],
    ['+WS_DATA:,4,test', [line('+WS_DATA:,4,test')]],
    ['+WS_DATA:0,,test', [line('+WS_DATA:0,,test')]],
    ['+WS_DATA:1234567,1,x', [line('+WS_DATA:1234567,1,x')]],
    ['+WS_DATA:0,1234567,x', [line('+WS_DATA:0,1234567,x')]],
    ['+WS_DAT', [line('+WS_DAT')]],
    ['+WS_CONNECTED:0', [line('+WS_CONNECTED:0')]],
    ['+', [line('+')]],
    ['++WS_DATA:0,1,x', [line('++WS_DATA:0,1,x')]],
    [' +WS_DATA:0,1,x', [line(' +WS_DATA:0,1,x')]],
  ])('%j is a plain line, not a header', (text, expected) => {
    expect(framedEveryWay([{ device: bin(`${text}\r\nOK\r\n`) }], 50)).toEqual([...expected, line('OK')])
  })
})

describe('Framer: lines', () => {
  it('CR LF, bare LF, blank lines and the CR of results', () => {
    expect(frameBytes('\r\n\r\nA\r\nB\n\n\nC\r\r\n\r\r\n')).toEqual([line('A'), line('B'), line('C\r')])
  })

  it('a lone CR does not end a line', () => {
    expect(frameBytes('busy\rp\r\n')).toEqual([line('busy\rp')])
  })

  it('a UTF-8 character split across chunks, at every cut', () => {
    const stream = Buffer.from('+CWJAP:"café 你好 😀"\r\n', 'utf8')
    for (let at = 0; at <= stream.length; at++) {
      expect(frameBytes(stream, (b) => cut(b, [at]))).toEqual([line('+CWJAP:"café 你好 😀"')])
    }
    expect(frameBytes(stream, byteByByte)).toEqual([line('+CWJAP:"café 你好 😀"')])
  })

  it('invalid UTF-8 becomes U+FFFD, a leading BOM is kept as text', () => {
    expect(frameBytes('\xff\xfeA\r\n\xEF\xBB\xBFready\r\n')).toEqual([line('\uFFFD\uFFFDA'), line('\uFEFFready')])
  })

  it('NUL bytes stay in a line', () => {
    expect(frameBytes('a\x00b\r\n')).toEqual([line('a\x00b')])
  })

  it('a partial line kept by the framer is its own copy', () => {
    const framer = new Framer()
    const chunk = bin('WIFI GOT')
    expect(framer.push(chunk)).toEqual([])
    chunk.fill(0x58)
    expect(plain(framer.push(bin(' IP\r\n')))).toEqual([line('WIFI GOT IP')])
  })
})

describe('Framer: echo', () => {
  it('the announced command line is echo; the same line again is a line', () => {
    const turns: Turn[] = [{ echo: 'AT+GMR', device: bin('AT+GMR\r\nAT+GMR\r\nSDK version:v5.0.6\r\n\r\nOK\r\n') }]
    expect(framedEveryWay(turns, 50)).toEqual([echo('AT+GMR'), line('AT+GMR'), line('SDK version:v5.0.6'), line('OK')])
  })

  it('a line equal to an older command is not echo once a new one is announced', () => {
    const turns: Turn[] = [
      { echo: 'AT+CWMODE?', device: bin('') },
      { echo: 'AT', device: bin('AT+CWMODE?\r\nAT\r\n\r\nOK\r\n') },
    ]
    expect(framedEveryWay(turns, 50)).toEqual([line('AT+CWMODE?'), echo('AT'), line('OK')])
  })

  it('lines before the echo do not use it up', () => {
    const turns: Turn[] = [{ echo: 'AT+CWQAP', device: bin('WIFI DISCONNECT\r\nAT+CWQAP\r\n\r\nOK\r\n') }]
    expect(framedEveryWay(turns, 50)).toEqual([line('WIFI DISCONNECT'), echo('AT+CWQAP'), line('OK')])
  })

  it('clearEcho stops expecting it (ATE0)', () => {
    const framer = new Framer()
    framer.expectEcho('AT')
    framer.clearEcho()
    expect(plain(framer.push(bin('AT\r\n')))).toEqual([line('AT')])
  })

  it('the echo must be the whole line', () => {
    const turns: Turn[] = [{ echo: 'AT', device: bin('AT \r\nATE0\r\nAT\r\n') }]
    expect(framedEveryWay(turns, 20)).toEqual([line('AT '), line('ATE0'), echo('AT')])
  })
})

describe('Framer: over-long lines', () => {
  const options = { maxLineLength: 8 }
  const split = (seed: number) => {
    const random = rng(seed)
    return (bytes: Uint8Array) => randomCut(bytes, random)
  }

  it('are cut at maxLineLength bytes, the rest skipped, and the next line read normally', () => {
    const stream = '0123456789abcdef\r\nOK\r\n+WS_DATA:0,2,xy\r\n'
    const expected = [truncated('01234567'), line('OK'), data(0, 'xy')]
    expect(frameBytes(stream, undefined, options)).toEqual(expected)
    expect(frameBytes(stream, byteByByte, options)).toEqual(expected)
    for (let seed = 1; seed <= 200; seed++) expect(frameBytes(stream, split(seed), options)).toEqual(expected)
  })

  it('exactly maxLineLength bytes before CR LF is not truncated; one more is', () => {
    for (const s of [undefined, byteByByte]) {
      expect(frameBytes('01234567\r\n012345678\r\n012345678\n', s, options)).toEqual([line('01234567'), truncated('01234567'), truncated('01234567')])
    }
  })

  it('a +WS_DATA payload is never cut by the line limit', () => {
    expect(frameBytes('+WS_DATA:0,20,01234567890123456789\r\n', byteByByte, options)).toEqual([data(0, '01234567890123456789')])
  })

  it('a header prefix longer than a tiny limit that turns out to be a line', () => {
    const tiny = { maxLineLength: 3 }
    for (const s of [undefined, byteByByte]) {
      expect(frameBytes('+WS_DATA:0,x\r\nOK\r\n+WS_DATA:0,1,z\r\n+WS_DATA:9', s, tiny)).toEqual([truncated('+WS'), line('OK'), data(0, 'z'), truncated('+WS')])
    }
  })

  it('a truncated line is never echo', () => {
    const turns: Turn[] = [{ echo: 'AT+CWJAP="0123456789"', device: bin('AT+CWJAP="0123456789"\r\n') }]
    expect(frame(turns, undefined, options)).toEqual([truncated('AT+CWJAP')])
  })

  it('the limit must be a positive integer', () => {
    expect(() => new Framer({ maxLineLength: 0 })).toThrow(RangeError)
    expect(() => new Framer({ maxLineLength: 1.5 })).toThrow(RangeError)
  })
})

describe('Framer: end()', () => {
  it('flushes a partial line, without a trailing CR', () => {
    const framer = new Framer()
    expect(framer.push(bin('WIFI GOT'))).toEqual([])
    expect(plain(framer.end())).toEqual([line('WIFI GOT')])
    expect(framer.end()).toEqual([])
  })

  it.each([
    ['OK\r', [line('OK')]],
    ['+WS_DA', [line('+WS_DA')]],
    ['+WS_DATA:0,5,', [truncated('+WS_DATA:0,5,')]],
    ['+WS_DATA:0,5,ab', [truncated('+WS_DATA:0,5,ab')]],
    ['+WS_DATA:0,2,ab', [data(0, 'ab')]],
    ['+WS_DATA:0,2,ab\r', [data(0, 'ab')]],
    ['\r\n\r', []],
    ['', []],
  ])('after %j', (text, expected) => {
    expect(frameBytes(text)).toEqual(expected)
    expect(frameBytes(text, byteByByte)).toEqual(expected)
  })

  it('a +WS_DATA cut short is reported within maxLineLength', () => {
    expect(frameBytes('+WS_DATA:0,50,0123456789', undefined, { maxLineLength: 16 })).toEqual([truncated('+WS_DATA:0,50,01')])
  })

  it('starts the next stream afresh', () => {
    const framer = new Framer()
    framer.push(bin('+WS_DATA:0,9,abc'))
    framer.end()
    expect(plain(framer.push(bin('x\r\n')))).toEqual([line('x')])
  })
})

// ---------------------------------------------------------------------------------------------
// The other length-framed records (framed-records.ts), from the TCP/IP, MQTT and HTTP pages

/** A stream framed whole, then cut once at every byte boundary, then in random pieces: always the same records. */
function framedAtEveryCut(stream: Buffer): Plain[] {
  const whole = frameBytes(stream)
  for (let at = 0; at <= stream.length; at++) expect(frameBytes(stream, (b) => cut(b, [at])), `cut at ${at}`).toEqual(whole)
  return framedEveryWay([{ device: stream }], 100)
}

describe('Framer: every framed record, cut at every byte boundary', () => {
  it.each([
    ['+IPD, single connection', '\r\n+IPD,4:test\r\n', [framed('ipd', '+IPD,4:', 'test')]],
    ['+IPD, multiple connections', '\r\n+IPD,0,4:test\r\n', [framed('ipd', '+IPD,0,4:', 'test', 0)]],
    ['+IPD with CIPDINFO', '\r\n+IPD,4,"192.168.3.102",8080:test\r\n', [framed('ipd', '+IPD,4,"192.168.3.102",8080:', 'test')]],
    ['+IPD, link and CIPDINFO, IPv6', '\r\n+IPD,1,4,"fe80::1",8080:a:b:\r\n', [framed('ipd', '+IPD,1,4,"fe80::1",8080:', 'a:b:', 1)]],
    ['+IPD with no CR LF after it (the docs\' form): the next record follows at once', '+IPD,0,4:test+IPD,1,2:ok0,CLOSED\r\n', [framed('ipd', '+IPD,0,4:', 'test', 0), framed('ipd', '+IPD,1,2:', 'ok', 1), line('0,CLOSED')]],
    ['the passive-mode notice is a line', '\r\n+IPD,0,100\r\n+IPD,12\r\n', [line('+IPD,0,100'), line('+IPD,12')]],
    ['+CIPRECVDATA: binary data with CR LF, a > and NUL, then the command\'s OK', '+CIPRECVDATA:7,a\r\n>b\x00\xff\r\nOK\r\n', [framed('recv', '+CIPRECVDATA:7,', 'a\r\n>b\x00\xff'), line('OK')]],
    ['+CIPRECVDATA with CIPDINFO', '+CIPRECVDATA:4,"127.0.0.1",9000,test\r\nOK\r\n', [framed('recv', '+CIPRECVDATA:4,"127.0.0.1",9000,', 'test'), line('OK')]],
    ['+CIPRECVDATA whose data starts with a quote', '+CIPRECVDATA:5,"abc"\r\nOK\r\n', [framed('recv', '+CIPRECVDATA:5,', '"abc"'), line('OK')]],
    ['+CIPRECVDATA whose data is shorter than the look at a possible address', '+CIPRECVDATA:2,"1\r\nOK\r\n', [framed('recv', '+CIPRECVDATA:2,', '"1'), line('OK')]],
    ['+MQTTSUBRECV with a comma and a quote in the topic', '+MQTTSUBRECV:0,"a,b "c"",5,hello\r\n', [framed('mqtt', '+MQTTSUBRECV:0,"a,b "c"",5,', 'hello', 0)]],
    ['+HTTPCLIENT, HEAD (no space after the comma)', '+HTTPCLIENT:24,Content-Type: text/plain\r\n\r\nOK\r\n', [framed('http', '+HTTPCLIENT:24,', 'Content-Type: text/plain'), line('OK')]],
    ['+HTTPCGET holding CR LF', '+HTTPCGET:6,a\r\nb\r\n\r\n\r\nOK\r\n', [framed('http', '+HTTPCGET:6,', 'a\r\nb\r\n'), line('OK')]],
    ['+HTTPURLCFG', '+HTTPURLCFG:22,http://127.0.0.1:8080/\r\nOK\r\n', [framed('http', '+HTTPURLCFG:22,', 'http://127.0.0.1:8080/'), line('OK')]],
    ['a header that is not one is a line', '+IPD,x\r\n+IPD,99999999:a\r\n+MQTTSUBRECV:abc\r\n+HTTPCLIENT:-1,\r\n', [line('+IPD,x'), line('+IPD,99999999:a'), line('+MQTTSUBRECV:abc'), line('+HTTPCLIENT:-1,')]],
  ] as const)('%s', (_, stream, records) => {
    expect(framedAtEveryCut(bin(stream))).toEqual(records)
  })
})

describe('Framer: passthrough', () => {
  it('after the prompt of a passthrough send, every byte is data, as it came; leaving it, lines again', () => {
    const framer = new Framer()
    framer.setPassthrough('afterPrompt')
    expect(plain(framer.push(bin('\r\nOK\r\n\r\n>hello\r\nOK\r\n')))).toEqual([line('OK'), prompt, raw('hello\r\nOK\r\n')])
    expect(framer.passthrough).toBe(true)
    expect(plain(framer.push(bin('+IPD,4:x')))).toEqual([raw('+IPD,4:x')])
    framer.setPassthrough('off')
    expect(plain(framer.push(bin('\r\n+QUITT\r\n')))).toEqual([line('+QUITT')])
  })
})

// ---------------------------------------------------------------------------------------------
// Properties

describe('Framer: properties', () => {
  it('records written as bytes come back as the same records, whatever the chunking', () => {
    fc.assert(
      fc.property(stream, cuts, (pieces, offsets) => {
        const bytes = Buffer.concat(pieces.map((p) => p.bytes))
        const expected = pieces.flatMap((p) => p.records)
        expect(frameBytes(bytes)).toEqual(expected)
        expect(frameBytes(bytes, (b) => cut(b, offsets))).toEqual(expected)
      }),
      { numRuns: 1000 },
    )
  })

  it('a stream fed one byte at a time gives the records of the whole stream', () => {
    fc.assert(
      fc.property(stream, (pieces) => {
        const bytes = Buffer.concat(pieces.map((p) => p.bytes))
        expect(frameBytes(bytes, byteByByte)).toEqual(pieces.flatMap((p) => p.records))
      }),
      { numRuns: 200 },
    )
  })

  it('garbage never throws, is framed the same whatever the chunking, and never makes a line longer than the limit', () => {
    fc.assert(
      fc.property(garbage, cuts, fc.integer({ min: 1, max: 40 }), fc.option(fc.constantFrom('AT', 'OK', '0', 'x')), (bytes, offsets, maxLineLength, echoed) => {
        const turns = (b: Uint8Array): Turn[] => [{ ...(echoed === null ? {} : { echo: echoed }), device: b }]
        const whole = frame(turns(bytes), undefined, { maxLineLength })
        expect(frame(turns(bytes), (b) => cut(b, offsets), { maxLineLength })).toEqual(whole)
        expect(frame(turns(bytes), byteByByte, { maxLineLength })).toEqual(whole)
        for (const r of whole) {
          if (r.kind === 'line' || r.kind === 'echo') {
            expect(r.text.length).toBeGreaterThan(0)
            expect(r.text.length).toBeLessThanOrEqual(maxLineLength)
          }
        }
      }),
      { numRuns: 1500 },
    )
  })
})

describe('Framer: bounded memory', () => {
  it('10 MiB without a newline costs at most maxLineLength bytes, and yields one truncated line', () => {
    const framer = new Framer({ maxLineLength: 1024 })
    const chunk = Buffer.alloc(64 * 1024, 0x78)
    const records = []
    let most = 0
    for (let i = 0; i < 160; i++) {
      records.push(...framer.push(chunk))
      most = Math.max(most, framer.pendingBytes)
    }
    expect(most).toBeLessThanOrEqual(1024)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ kind: 'line', truncated: true })
    // The next line after the flood is framed normally.
    expect(framer.push(Buffer.from('\r\nOK\r\n'))).toEqual([{ kind: 'line', text: 'OK' }])
  })
})
