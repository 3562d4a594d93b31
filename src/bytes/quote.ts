import { createHash } from 'node:crypto'
import { MASK_TEXT } from './segments.ts'
import type { Segment } from './segments.ts'

/**
 * The project's one notation for bytes shown to people and kept in recordings: double-quoted text
 * with C escapes (printable ASCII as itself, `\r` `\n` `\t` `\\` `\"`, any other byte as `\xNN`),
 * plus a notation for a secret that is not shown (`***` for people, `\{name}` in recordings).
 * Every byte value survives the round trip, so a recording is exact and still reads as AT text.
 */

const NAMED: Record<number, string> = { 0x0d: '\\r', 0x0a: '\\n', 0x09: '\\t', 0x5c: '\\\\', 0x22: '\\"' }
const UNNAMED: Record<string, number> = { r: 0x0d, n: 0x0a, t: 0x09, '\\': 0x5c, '"': 0x22 }
const SECRET_NAME = /^[A-Za-z_][\w.-]*$/

/** One byte in the quoted notation: printable ASCII as itself, C escapes, else `\xNN`. */
export function escapeByte(b: number): string {
  return NAMED[b] ?? (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)
}

/** Every byte's notation, looked up rather than worked out: a recording of a 4 MB payload quotes 4 M bytes. */
const ESCAPED: readonly string[] = Array.from({ length: 256 }, (_, b) => escapeByte(b))

/** `bytes[from, to)` in the quoted notation, built in slices so that a long run costs no long chain of small strings. */
function escapeRun(bytes: Uint8Array, from: number, to: number): string {
  let out = ''
  const slice: string[] = []
  for (let i = from; i < to; i++) {
    slice.push(ESCAPED[bytes[i]!]!)
    if (slice.length === 4096) {
      out += slice.join('')
      slice.length = 0
    }
  }
  return out + slice.join('')
}

/** Whether the bytes read as text: printable ASCII and CR, LF, tab. Anything else also gets a hex view. */
export function isPlainText(bytes: Uint8Array): boolean {
  for (const b of bytes) if ((b < 0x20 || b > 0x7e) && b !== 0x0d && b !== 0x0a && b !== 0x09) return false
  return true
}

/** How a secret reads inside quoted text: `***` for people; a recording names it, `\{password}`. */
export type SecretNotation = 'masked' | 'named'


/**
 * The segments as quoted pieces, one per line of the data (a piece ends after each LF), so that a
 * chunk carrying several AT lines reads, and diffs, line by line.
 */
export function quotePieces(segments: readonly Segment[], notation: SecretNotation = 'masked'): string[] {
  const pieces: string[] = []
  let current = ''
  for (const s of segments) {
    if ('secret' in s) {
      if (notation === 'masked') current += MASK_TEXT
      else {
        if (!SECRET_NAME.test(s.secret)) throw new Error(`not a secret name: ${s.secret}`)
        current += `\\{${s.secret}}`
      }
      continue
    }
    const bytes = s.bytes
    for (let from = 0; from < bytes.length; ) {
      const lf = bytes.indexOf(0x0a, from)
      const end = lf < 0 ? bytes.length : lf + 1
      current += escapeRun(bytes, from, end)
      from = end
      if (lf >= 0) {
        pieces.push(`"${current}"`)
        current = ''
      }
    }
  }
  if (current !== '' || pieces.length === 0) pieces.push(`"${current}"`)
  return pieces
}

/** Plain bytes as quoted pieces, a piece per line. */
export function quoteLines(bytes: Uint8Array): string[] {
  return quotePieces([{ bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }])
}

/** Bytes on one line for messages: `"AT+CWMODE=1\r\n"`. */
export function quoteInline(bytes: Uint8Array): string {
  return `"${escapeRun(bytes, 0, bytes.length)}"`
}

/**
 * Bytes too many to show, in one line: their length and SHA-256, and their first and last bytes in
 * the quoted notation (`4194304 bytes, sha256 3f1a…: "abcd" … "wxyz"`). A 4 MB payload stays a line
 * of a transcript, and can still be told apart from another and checked against its file.
 */
export function summarizeBytes(bytes: Uint8Array, edge = 32): string {
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const head = quoteInline(bytes.subarray(0, edge))
  const tail = quoteInline(bytes.subarray(Math.max(edge, bytes.length - edge)))
  return `${bytes.length} bytes, sha256 ${sha256}: ${head} … ${tail}`
}

/** A hexdump -C style view: offset, 16 bytes in hex, the same bytes as ASCII with dots. */
export function hexView(bytes: Uint8Array): string[] {
  const lines: string[] = []
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = bytes.subarray(offset, offset + 16)
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0'))
    const left = hex.slice(0, 8).join(' ')
    const right = hex.slice(8).join(' ')
    const ascii = [...row].map((b) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.')).join('')
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${`${left}  ${right}`.padEnd(48)}  |${ascii}|`)
  }
  return lines
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
