import { escapeByte } from '../report/bytes-view.ts'
import type { Segment } from './segments.ts'

/**
 * Bytes as double-quoted text, the transcript's notation: printable ASCII as itself, `\r` `\n` `\t`
 * `\\` `\"`, any other byte as `\xNN`; plus `\{name}` for a secret the recording does not hold.
 * Every byte value survives the round trip, so a recording is exact and still reads as the AT text.
 */

const UNNAMED: Record<string, number> = { r: 0x0d, n: 0x0a, t: 0x09, '\\': 0x5c, '"': 0x22 }
const SECRET_NAME = /^[A-Za-z_][\w.-]*$/

/**
 * The segments as quoted pieces, one per line of the data (a piece ends after each LF), so that a
 * chunk with several AT lines reads, and diffs, line by line.
 */
export function quoteSegments(segments: readonly Segment[]): string[] {
  const pieces: string[] = []
  let current = ''
  for (const s of segments) {
    if ('secret' in s) {
      if (!SECRET_NAME.test(s.secret)) throw new Error(`not a secret name: ${s.secret}`)
      current += `\\{${s.secret}}`
      continue
    }
    for (const b of s.bytes) {
      current += escapeByte(b)
      if (b === 0x0a) {
        pieces.push(`"${current}"`)
        current = ''
      }
    }
  }
  if (current !== '' || pieces.length === 0) pieces.push(`"${current}"`)
  return pieces
}

/** Bytes on one line for messages: `"AT+CWMODE=1\r\n"`. */
export function quoteInline(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += escapeByte(b)
  return `"${out}"`
}

/** A quoted piece that does not parse; `column` is 1-based within the piece's text. */
export class QuotedBytesError extends Error {
  readonly column: number
  constructor(message: string, column: number) {
    super(message)
    this.column = column
  }
}

/** Reads one quoted piece (`"..."`, nothing after it but spaces) back into segments. */
export function unquote(text: string): Segment[] {
  if (!text.startsWith('"')) throw new QuotedBytesError('expected a double-quoted string', 1)
  const out: Segment[] = []
  let bytes: number[] = []
  const flush = () => {
    if (bytes.length > 0) out.push({ bytes: Buffer.from(bytes) })
    bytes = []
  }
  let i = 1
  for (;;) {
    if (i >= text.length) throw new QuotedBytesError('the string has no closing `"`', i + 1)
    const c = text[i]!
    if (c === '"') break
    if (c !== '\\') {
      const code = c.charCodeAt(0)
      if (code < 0x20 || code > 0x7e) throw new QuotedBytesError(`only printable ASCII may stand for itself; write \\x${code.toString(16).padStart(2, '0')}`, i + 1)
      bytes.push(code)
      i++
      continue
    }
    const next = text[i + 1]
    if (next !== undefined && next in UNNAMED) {
      bytes.push(UNNAMED[next]!)
      i += 2
    } else if (next === 'x') {
      const hex = text.slice(i + 2, i + 4)
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new QuotedBytesError('`\\x` needs two hex digits', i + 1)
      bytes.push(parseInt(hex, 16))
      i += 4
    } else if (next === '{') {
      const end = text.indexOf('}', i)
      const name = end < 0 ? '' : text.slice(i + 2, end)
      if (!SECRET_NAME.test(name)) throw new QuotedBytesError('`\\{` needs a secret name and `}`', i + 1)
      flush()
      out.push({ secret: name })
      i = end + 1
    } else {
      throw new QuotedBytesError(`unknown escape \`\\${next ?? ''}\``, i + 1)
    }
  }
  flush()
  if (text.slice(i + 1).trim() !== '') throw new QuotedBytesError('text after the closing `"`', i + 2)
  return out
}
