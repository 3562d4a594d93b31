import fc from 'fast-check'
import type { Plain } from './helpers.ts'
import { bin, data, framed, line, prompt } from './helpers.ts'

/** Generators of device output for the framer's property tests and for `npm run fuzz`. */

const FRAMED_PREFIXES = ['+WS_DATA:', '+IPD,', '+CIPRECVDATA:', '+MQTTSUBRECV:', '+HTTPCLIENT:', '+HTTPCGET:', '+HTTPCPOST:', '+HTTPCPUT:', '+HTTPURLCFG:']

const PROMPT = '\r\nOK\r\n\r\n>'

export const URCS = ['0,CONNECT', '1,CLOSED', 'CLOSED', '+IPD,0,100', '+IPD,12', '+MQTTDISCONNECTED:0', 'WIFI CONNECTED', 'WIFI GOT IP', 'WIFI DISCONNECT', '+WS_CONNECTED:0', '+WS_DISCONNECTED:1', '+WS_CLOSED:2', '+TIME_UPDATED', 'ready', 'busy p...', 'ERR CODE:0x010b0000', 'OK', 'ERROR', 'SEND OK']

/** One record as the device writes it, and what the framer must make of it. */
export interface Piece {
  bytes: Buffer
  records: Plain[]
}

const lineText = fc
  .string({ unit: fc.oneof({ weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }), minLength: 1, maxLength: 40 })
  .filter((t) => !/[\r\n]/.test(t) && !t.startsWith('>') && !FRAMED_PREFIXES.some((p) => t.startsWith(p)))

const linePiece: fc.Arbitrary<Piece> = fc
  .tuple(fc.oneof(lineText, fc.constantFrom(...URCS)), fc.constantFrom('\r\n', '\n'), fc.boolean())
  .map(([text, end, result]) => ({ bytes: Buffer.from(`${result ? '\r\n' : ''}${text}${end}`, 'utf8'), records: [line(text)] }))

const promptPiece: fc.Arbitrary<Piece> = fc.constantFrom<Piece>({ bytes: bin(PROMPT), records: [line('OK'), prompt] }, { bytes: bin('>'), records: [prompt] })

const dataPiece: fc.Arbitrary<Piece> = fc
  .tuple(fc.integer({ min: 0, max: 2 }), fc.uint8Array({ maxLength: 80 }), fc.constantFrom('\r\n', '\r\n', '\r\n', ''))
  .map(([link, payload, end]) => ({ bytes: Buffer.concat([bin(`+WS_DATA:${link},${payload.length},`), payload, bin(end)]), records: [data(link, Array.from(payload))] }))

const payload = fc.uint8Array({ maxLength: 60 })
const trailer = fc.constantFrom('\r\n', '\r\n', '')
const ip = fc.constantFrom('127.0.0.1', '192.168.3.102', 'fe80::1', '::1')

/** Every form of +IPD (reference of the TCP/IP pages): with and without link, with and without CIPDINFO's address. */
const ipdPiece: fc.Arbitrary<Piece> = fc
  .tuple(fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }), fc.option(fc.tuple(ip, fc.integer({ min: 1, max: 65535 })), { nil: undefined }), payload, trailer)
  .map(([link, remote, bytes, end]) => {
    const header = `+IPD,${link !== undefined ? `${link},` : ''}${bytes.length}${remote ? `,"${remote[0]}",${remote[1]}` : ''}:`
    return { bytes: Buffer.concat([bin(`\r\n${header}`), bytes, bin(end)]), records: [framed('ipd', header, Array.from(bytes), link)] }
  })

/** +CIPRECVDATA, with and without the address; its data may start with a quote. Followed by the command's OK. */
const recvPiece: fc.Arbitrary<Piece> = fc
  .tuple(fc.option(fc.tuple(ip, fc.integer({ min: 1, max: 65535 })), { nil: undefined }), fc.oneof(payload, payload.map((b) => Buffer.concat([bin('"'), b]))))
  .map(([remote, bytes]) => {
    const header = `+CIPRECVDATA:${bytes.length},${remote ? `"${remote[0]}",${remote[1]},` : ''}`
    return { bytes: Buffer.concat([bin(header), bytes, bin('\r\nOK\r\n')]), records: [framed('recv', header, Array.from(bytes)), line('OK')] }
  })

/** +MQTTSUBRECV, the topic quoted and possibly holding commas and quotes (the firmware does not escape them). */
const mqttPiece: fc.Arbitrary<Piece> = fc
  .tuple(fc.constantFrom('topic', 'a/b,c', 'say "hi"', '', 'sensor/1,2'), payload, trailer)
  .map(([topic, bytes, end]) => {
    const header = `+MQTTSUBRECV:0,"${topic}",${bytes.length},`
    return { bytes: Buffer.concat([bin(header), bytes, bin(end)]), records: [framed('mqtt', header, Array.from(bytes), 0)] }
  })

/** The HTTP commands' records. */
const httpPiece: fc.Arbitrary<Piece> = fc
  .tuple(fc.constantFrom('HTTPCLIENT', 'HTTPCGET', 'HTTPCPOST', 'HTTPCPUT', 'HTTPURLCFG'), payload, trailer)
  .map(([name, bytes, end]) => {
    const header = `+${name}:${bytes.length},`
    return { bytes: Buffer.concat([bin(header), bytes, bin(end)]), records: [framed('http', header, Array.from(bytes))] }
  })

export const stream = fc.array(fc.oneof(linePiece, promptPiece, dataPiece, ipdPiece, recvPiece, mqttPiece, httpPiece), { maxLength: 25 })

/** Cut points for a stream: any number of offsets, folded into its length. */
export const cuts = fc.array(fc.nat(), { maxLength: 30 })

/** Byte soup rich in the framer's special bytes and prefixes. */
export const garbage = fc
  .array(
    fc.oneof(
      fc.constantFrom('\r', '\n', '\r\n', '>', '+', '+WS_DATA:', '+WS_DATA:0,', '+IPD,', '+IPD,0,', '"', ':', '+CIPRECVDATA:', '+MQTTSUBRECV:0,"', '",', '+HTTPCLIENT:', '0', '1', '3', ',', 'x', 'OK', 'AT', '\x00', '\xff', '\xc3', '\xa9', '\xf0\x9f'),
      fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('latin1')),
    ),
    { maxLength: 60 },
  )
  .map((parts) => bin(parts.join('')))

