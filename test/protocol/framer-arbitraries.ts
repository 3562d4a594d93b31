import fc from 'fast-check'
import type { Plain } from './helpers.ts'
import { bin, data, line, prompt } from './helpers.ts'

/** Generators of device output for the framer's property tests and for `npm run fuzz`. */

const PROMPT = '\r\nOK\r\n\r\n>'

export const URCS = ['WIFI CONNECTED', 'WIFI GOT IP', 'WIFI DISCONNECT', '+WS_CONNECTED:0', '+WS_DISCONNECTED:1', '+WS_CLOSED:2', '+TIME_UPDATED', 'ready', 'busy p...', 'ERR CODE:0x010b0000', 'OK', 'ERROR', 'SEND OK']

/** One record as the device writes it, and what the framer must make of it. */
export interface Piece {
  bytes: Buffer
  records: Plain[]
}

const lineText = fc
  .string({ unit: fc.oneof({ weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }), minLength: 1, maxLength: 40 })
  .filter((t) => !/[\r\n]/.test(t) && !t.startsWith('>') && !t.startsWith('+WS_DATA:'))

const linePiece: fc.Arbitrary<Piece> = fc
  .tuple(fc.oneof(lineText, fc.constantFrom(...URCS)), fc.constantFrom('\r\n', '\n'), fc.boolean())
  .map(([text, end, result]) => ({ bytes: Buffer.from(`${result ? '\r\n' : ''}${text}${end}`, 'utf8'), records: [line(text)] }))

const promptPiece: fc.Arbitrary<Piece> = fc.constantFrom<Piece>({ bytes: bin(PROMPT), records: [line('OK'), prompt] }, { bytes: bin('>'), records: [prompt] })

const dataPiece: fc.Arbitrary<Piece> = fc
  .tuple(fc.integer({ min: 0, max: 2 }), fc.uint8Array({ maxLength: 80 }), fc.constantFrom('\r\n', '\r\n', '\r\n', ''))
  .map(([link, payload, end]) => ({ bytes: Buffer.concat([bin(`+WS_DATA:${link},${payload.length},`), payload, bin(end)]), records: [data(link, Array.from(payload))] }))

export const stream = fc.array(fc.oneof(linePiece, promptPiece, dataPiece), { maxLength: 25 })

/** Cut points for a stream: any number of offsets, folded into its length. */
export const cuts = fc.array(fc.nat(), { maxLength: 30 })

/** Byte soup rich in the framer's special bytes and prefixes. */
export const garbage = fc
  .array(
    fc.oneof(
      fc.constantFrom('\r', '\n', '\r\n', '>', '+', '+WS_DATA:', '+WS_DATA:0,', '0', '1', '3', ',', 'x', 'OK', 'AT', '\x00', '\xff', '\xc3', '\xa9', '\xf0\x9f'),
      fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('latin1')),
    ),
    { maxLength: 60 },
  )
  .map((parts) => bin(parts.join('')))

