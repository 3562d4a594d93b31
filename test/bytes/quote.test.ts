import { describe, expect, it } from 'vitest'
import { hexView, isPlainText, quoteLines, quotePieces } from '../../src/bytes/quote.ts'

const b = (s: string) => Buffer.from(s, 'latin1')

describe('bytes as text', () => {
  it('quotes each line of the data, with C escapes', () => {
    expect(quoteLines(b('AT+CWJAP="a\\b"\r\r\n\r\nOK\r\n'))).toEqual(['"AT+CWJAP=\\"a\\\\b\\"\\r\\r\\n"', '"\\r\\n"', '"OK\\r\\n"'])
    expect(quoteLines(b('\r\n>'))).toEqual(['"\\r\\n"', '">"'])
    expect(quoteLines(b('\x00\x7f\xff\t'))).toEqual(['"\\x00\\x7f\\xff\\t"'])
    expect(quoteLines(b(''))).toEqual(['""'])
  })

  it('shows a secret as *** for people and as \\{name} in recordings', () => {
    const segments = [{ bytes: b('AT+CWJAP="lab","') }, { secret: 'password' }, { bytes: b('"\r\n') }]
    expect(quotePieces(segments)).toEqual(['"AT+CWJAP=\\"lab\\",\\"***\\"\\r\\n"'])
    expect(quotePieces(segments, 'named')).toEqual(['"AT+CWJAP=\\"lab\\",\\"\\{password}\\"\\r\\n"'])
  })

  it('calls text only printable ASCII with CR, LF and tab', () => {
    expect(isPlainText(b('+WS_DATA:0,4,test\r\n'))).toBe(true)
    expect(isPlainText(b('\x00test'))).toBe(false)
    expect(isPlainText(Buffer.from('é', 'utf8'))).toBe(false)
  })

  it('shows a hexdump -C style view', () => {
    expect(hexView(b('\x00\x01\x02test payload bytes!'))).toEqual([
      '00000000  00 01 02 74 65 73 74 20  70 61 79 6c 6f 61 64 20  |...test payload |',
      '00000010  62 79 74 65 73 21                                 |bytes!|',
    ])
  })
})
