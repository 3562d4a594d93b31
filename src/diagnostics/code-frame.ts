import type { Diagnostic, Span } from './diagnostic.ts'
import { formatLocation } from './diagnostic.ts'
import { charWidth, displayWidth } from './display-width.ts'

/** Text of the files diagnostics point into, by the path used in their spans. */
export type SourceLookup = (file: string) => string | undefined

export interface FrameOptions {
  /** ANSI colours for a terminal. Default: false. */
  color?: boolean
}

/** Source lines wider than this are cut around the caret, as yaml's prettifyError does at 80. */
export const MAX_SOURCE_WIDTH = 100

const ansi = {
  red: (s: string) => `\u001b[31m${s}\u001b[39m`,
  yellow: (s: string) => `\u001b[33m${s}\u001b[39m`,
  blue: (s: string) => `\u001b[34m${s}\u001b[39m`,
  bold: (s: string) => `\u001b[1m${s}\u001b[22m`,
  plain: (s: string) => s,
}

/**
 * Renders a diagnostic the way hurl and rustc do, with its code in the header so that a user can
 * search for it and a test can assert it:
 *
 *     error[unknown-key]: unknown key `expct`
 *       --> scenarios/tcp-echo.yaml:12:5
 *        |
 *     12 |     expct: OK
 *        |     ^^^^^ did you mean `expect`?
 */
export function renderDiagnostic(d: Diagnostic, sources: SourceLookup, options: FrameOptions = {}): string {
  const c = options.color ? ansi : { red: ansi.plain, yellow: ansi.plain, blue: ansi.plain, bold: ansi.plain }
  const label = `${d.severity}[${d.code}]`
  const lines = [`${d.severity === 'error' ? c.red(c.bold(label)) : c.yellow(c.bold(label))}${c.bold(`: ${d.message}`)}`]
  if (d.span) {
    const frame = codeFrame(d.span, sources(d.span.file), d.hint, c)
    lines.push(...frame)
  } else if (d.hint) {
    lines.push(`  = ${d.hint}`)
  }
  return lines.join('\n')
}

function codeFrame(
  span: Span,
  text: string | undefined,
  hint: string | undefined,
  c: { blue: (s: string) => string; red: (s: string) => string },
): string[] {
  const gutterWidth = String(span.start.line).length
  const pad = ' '.repeat(gutterWidth)
  const out = [`${pad}${c.blue('-->')} ${formatLocation(span)}`]
  const sourceLine = text === undefined ? undefined : lineAt(text, span.start.line)
  if (sourceLine === undefined) {
    if (hint) out.push(`${pad} ${c.blue('=')} ${hint}`)
    return out
  }
  const line = sourceLine.replace(/\t/g, ' ')
  const start = Math.min(span.start.col - 1, line.length)
  const end = span.end.line === span.start.line ? Math.max(span.end.col - 1, start + 1) : line.length
  const shown = fitLine(line, start, end)
  out.push(`${pad} ${c.blue('|')}`)
  out.push(`${c.blue(String(span.start.line))} ${c.blue('|')} ${shown.text}`)
  const caret = ' '.repeat(shown.pad) + c.red('^'.repeat(shown.width) + (hint ? ` ${hint}` : ''))
  out.push(`${pad} ${c.blue('|')} ${caret}`)
  return out
}

/** A source line as shown, and where its caret goes, in terminal columns. */
export interface FittedLine {
  text: string
  /** Columns before the first `^`. */
  pad: number
  /** How many `^`. */
  width: number
}

/**
 * The part of `line` to show for a caret under `line.slice(start, end)` (UTF-16 offsets): all of
 * it when it fits in `max` columns, else a window with `…` where it was cut, the caret near the
 * middle when it is far right (yaml's prettifyError does the same at 80 columns). Columns count
 * wide characters as two, and cuts fall between characters, so the caret stays under its text.
 */
export function fitLine(line: string, start: number, end: number, max = MAX_SOURCE_WIDTH): FittedLine {
  const chars: { text: string; at: number; col: number; width: number }[] = []
  let col = 0
  let at = 0
  for (const ch of line) {
    const width = charWidth(ch.codePointAt(0)!)
    chars.push({ text: ch, at, col, width })
    col += width
    at += ch.length
  }
  const total = col
  const colAt = (offset: number) => chars.find((ch) => ch.at >= offset)?.col ?? total
  const caretStart = colAt(start)
  const caretEnd = Math.max(colAt(end), caretStart + 1)
  if (total <= max) return { text: line, pad: caretStart, width: caretEnd - caretStart }

  // Cut the left when the caret is in the last quarter: it then sits near the middle, unless the
  // end of the line comes first (the rest is shown whole after the `…`).
  let first = 0
  let dropped = 0
  if (caretStart >= (max * 3) / 4) {
    const cut = Math.min(caretStart - Math.floor(max / 2), total - (max - 1))
    while (first < chars.length && chars[first]!.col < cut) first++
    dropped = first < chars.length ? chars[first]!.col : total
  }
  const left = first > 0 ? '…' : ''
  const room = max - displayWidth(left)
  let last = first
  const restWidth = total - dropped
  if (restWidth <= room) last = chars.length
  else while (last < chars.length && chars[last]!.col + chars[last]!.width - dropped <= room - 1) last++
  const right = last < chars.length ? '…' : ''
  const text = left + chars.slice(first, last).map((ch) => ch.text).join('') + right
  const visibleEnd = (last < chars.length ? chars[last]!.col : total) - dropped
  const pad = caretStart - dropped + left.length
  const width = Math.max(1, Math.min(caretEnd - dropped, Math.max(visibleEnd, caretStart - dropped + 1)) - (caretStart - dropped))
  return { text, pad, width }
}

function lineAt(text: string, line: number): string | undefined {
  let start = 0
  for (let i = 1; i < line; i++) {
    const next = text.indexOf('\n', start)
    if (next < 0) return undefined
    start = next + 1
  }
  const end = text.indexOf('\n', start)
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '')
}
