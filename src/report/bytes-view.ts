const NAMED: Record<number, string> = { 0x0d: '\\r', 0x0a: '\\n', 0x09: '\\t', 0x5c: '\\\\', 0x22: '\\"' }

/** One byte in the transcript's quoted notation: printable ASCII as itself, C escapes, else `\xNN`. */
export function escapeByte(b: number): string {
  return NAMED[b] ?? (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)
}

/** Whether the bytes read as text: printable ASCII and CR, LF, tab. Anything else also gets a hex view. */
export function isPlainText(bytes: Uint8Array): boolean {
  for (const b of bytes) if ((b < 0x20 || b > 0x7e) && b !== 0x0d && b !== 0x0a && b !== 0x09) return false
  return true
}

/**
 * The bytes as double-quoted text with C escapes (`\r`, `\n`, `\t`, `\\`, `\"`, `\xNN`), one quoted
 * piece per line of the data (split after each LF), so that a chunk carrying several AT lines
 * reads line by line.
 */
export function escapedLines(bytes: Uint8Array): string[] {
  const lines: string[] = []
  let current = ''
  for (const b of bytes) {
    current += escapeByte(b)
    if (b === 0x0a) {
      lines.push(`"${current}"`)
      current = ''
    }
  }
  if (current !== '' || lines.length === 0) lines.push(`"${current}"`)
  return lines
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
