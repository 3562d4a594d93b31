import type { Diagnostic, Span } from './diagnostic.ts'
import { formatLocation } from './diagnostic.ts'

/** Text of the files diagnostics point into, by the path used in their spans. */
export type SourceLookup = (file: string) => string | undefined

export interface FrameOptions {
  /** ANSI colours for a terminal. Default: false. */
  color?: boolean
}

const ansi = {
  red: (s: string) => `\u001b[31m${s}\u001b[39m`,
  yellow: (s: string) => `\u001b[33m${s}\u001b[39m`,
  blue: (s: string) => `\u001b[34m${s}\u001b[39m`,
  bold: (s: string) => `\u001b[1m${s}\u001b[22m`,
  plain: (s: string) => s,
}

/**
 * Renders a diagnostic the way hurl and rustc do:
 *
 *     error: unknown key `expct`
 *       --> scenarios/tcp-echo.yaml:12:5
 *        |
 *     12 |     expct: OK
 *        |     ^^^^^ did you mean `expect`?
 */
export function renderDiagnostic(d: Diagnostic, sources: SourceLookup, options: FrameOptions = {}): string {
  const c = options.color ? ansi : { red: ansi.plain, yellow: ansi.plain, blue: ansi.plain, bold: ansi.plain }
  const label = d.severity === 'error' ? c.red(c.bold('error')) : c.yellow(c.bold('warning'))
  const lines = [`${label}${c.bold(`: ${d.message}`)}`]
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
  const shown = sourceLine.replace(/\t/g, ' ')
  const startCol = Math.min(span.start.col, shown.length + 1)
  const endCol = span.end.line === span.start.line ? Math.max(span.end.col, startCol + 1) : shown.length + 1
  const width = Math.max(1, Math.min(endCol, shown.length + 1) - startCol)
  out.push(`${pad} ${c.blue('|')}`)
  out.push(`${c.blue(String(span.start.line))} ${c.blue('|')} ${shown}`)
  const caret = ' '.repeat(startCol - 1) + c.red('^'.repeat(width) + (hint ? ` ${hint}` : ''))
  out.push(`${pad} ${c.blue('|')} ${caret}`)
  return out
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
