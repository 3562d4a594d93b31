/**
 * Parsing of one AT command line as the firmware does it (reference §2.2): the `AT` prefix in any
 * case, the name up to `?`, `=` or the end, and comma-separated parameters where strings are
 * quoted with `\` escapes and integers are decimal or `0x` hexadecimal.
 */

export type CommandForm = 'test' | 'query' | 'set' | 'execute'

export interface CommandLine {
  /** Upper-cased name without the `AT` prefix: `+CWMODE`, `E0`, `` for the bare `AT`. */
  name: string
  form: CommandForm
  /** Raw parameter text after `=` (set form only). */
  args: string
}

/** undefined when the line does not start with AT or its form is malformed. */
export function parseCommandLine(line: string): CommandLine | undefined {
  if (line.length < 2 || line[0]!.toUpperCase() !== 'A' || line[1]!.toUpperCase() !== 'T') return undefined
  const rest = line.slice(2)
  const m = /^([A-Za-z0-9_+&]*)([\s\S]*)$/.exec(rest)!
  const name = m[1]!.toUpperCase()
  const tail = m[2]!
  if (tail === '') return { name, form: 'execute', args: '' }
  if (tail === '?') return { name, form: 'query', args: '' }
  if (tail === '=?') return { name, form: 'test', args: '' }
  if (tail.startsWith('=')) return { name, form: 'set', args: tail.slice(1) }
  // `AT+RST?x`, `AT \r\n` and the like: the name is not a command name.
  return { name: name + tail, form: 'execute', args: '' }
}

export type Param = { kind: 'string'; value: string } | { kind: 'int'; value: number } | { kind: 'empty' } | { kind: 'bad'; raw: string }

/** Splits parameters on commas outside quotes and classifies each. */
export function parseParams(args: string): Param[] {
  const out: Param[] = []
  let i = 0
  for (;;) {
    if (args[i] === '"') {
      let value = ''
      let j = i + 1
      let closed = false
      while (j < args.length) {
        const ch = args[j]!
        if (ch === '\\' && j + 1 < args.length) {
          value += args[j + 1]
          j += 2
          continue
        }
        if (ch === '"') {
          closed = true
          j++
          break
        }
        value += ch
        j++
      }
      if (!closed || (j < args.length && args[j] !== ',')) {
        const end = args.indexOf(',', j)
        out.push({ kind: 'bad', raw: args.slice(i, end < 0 ? args.length : end) })
        if (end < 0) return out
        i = end + 1
        continue
      }
      out.push({ kind: 'string', value })
      if (j >= args.length) return out
      i = j + 1
      continue
    }
    const end = args.indexOf(',', i)
    const raw = args.slice(i, end < 0 ? args.length : end)
    out.push(classify(raw))
    if (end < 0) return out
    i = end + 1
  }
}

function classify(raw: string): Param {
  if (raw === '') return { kind: 'empty' }
  if (/^-?\d+$/.test(raw)) return { kind: 'int', value: Number(raw) }
  if (/^0[xX][0-9a-fA-F]+$/.test(raw)) return { kind: 'int', value: Number.parseInt(raw.slice(2), 16) }
  return { kind: 'bad', raw }
}
