import { describe, expect, it } from 'vitest'
import { fitLine, MAX_SOURCE_WIDTH, renderDiagnostic } from '../../src/diagnostics/code-frame.ts'
import type { Diagnostic } from '../../src/diagnostics/diagnostic.ts'
import { error, warning } from '../../src/diagnostics/diagnostic.ts'
import { displayWidth } from '../../src/diagnostics/display-width.ts'

const at = (line: number, col: number, endCol = col + 1) => ({ file: 's.yaml', start: { line, col }, end: { line, col: endCol } })
const render = (d: Diagnostic, text: string) => renderDiagnostic(d, () => text)
/** The source line and the caret line of a rendered frame, without their gutters. */
function frame(rendered: string): { source: string; caret: string } {
  const lines = rendered.split('\n')
  const strip = (l: string) => l.replace(/^\d* *\| /, '')
  return { source: strip(lines[3]!), caret: strip(lines[4]!) }
}
/** The text above the first `^`, checked by columns: what a terminal shows. */
function underCaret(rendered: string): string {
  const { source, caret } = frame(rendered)
  const pad = caret.indexOf('^')
  let col = 0
  for (const ch of source) {
    if (col === pad) return ch
    col += displayWidth(ch)
  }
  return ''
}

describe('diagnostic headers', () => {
  it('carry the code, rustc-style, for errors and warnings', () => {
    const text = 'name: n\nsteps:\n  - send: AT\n    expct: OK\n'
    expect(render(error('unknown-key', 'unknown key `expct` in `steps[0]`', at(4, 5, 10), 'did you mean `expect`?'), text)).toBe(
      'error[unknown-key]: unknown key `expct` in `steps[0]`\n --> s.yaml:4:5\n  |\n4 |     expct: OK\n  |     ^^^^^ did you mean `expect`?',
    )
    expect(render(warning('unused-variable', 'variable `x` is never used', at(1, 1, 5)), 'name: n\n').split('\n')[0]).toBe('warning[unused-variable]: variable `x` is never used')
    expect(renderDiagnostic(error('file-unreadable', 'cannot read a.yaml: no such file'), () => undefined)).toBe('error[file-unreadable]: cannot read a.yaml: no such file')
  })

  it('colour the whole label, code included, on a terminal', () => {
    const out = renderDiagnostic(error('bad-value', 'bad'), () => undefined, { color: true })
    expect(out).toBe('\u001b[31m\u001b[1merror[bad-value]\u001b[22m\u001b[39m\u001b[1m: bad\u001b[22m')
  })
})

describe('long source lines', () => {
  // 300 distinct-looking columns: a letter marks every position, digits count tens.
  const long = Array.from({ length: 300 }, (_, i) => (i % 10 === 0 ? String((i / 10) % 10) : String.fromCharCode(97 + (i % 26)))).join('')

  it('are shown whole up to the limit', () => {
    const line = long.slice(0, MAX_SOURCE_WIDTH)
    expect(fitLine(line, 99, 100)).toEqual({ text: line, pad: 99, width: 1 })
  })

  it('caret at the start: the end is cut with …', () => {
    const shown = render({ ...error('bad-value', 'x'), span: at(1, 1, 4) }, long)
    const { source, caret } = frame(shown)
    expect(source).toBe(`${long.slice(0, 99)}…`)
    expect(displayWidth(source)).toBe(MAX_SOURCE_WIDTH)
    expect(caret).toBe('^^^')
  })

  it('caret in the middle: both sides cut, the caret near the middle under its character', () => {
    const shown = render({ ...error('bad-value', 'x'), span: at(1, 150, 153) }, long)
    const { source, caret } = frame(shown)
    expect(source.startsWith('…') && source.endsWith('…')).toBe(true)
    expect(displayWidth(source)).toBe(MAX_SOURCE_WIDTH)
    expect(caret).toBe(`${' '.repeat(51)}^^^`)
    expect(source.slice(51, 54)).toBe(long.slice(149, 152))
  })

  it('caret at the end: the start is cut, the end of the line shown whole', () => {
    const shown = render({ ...error('bad-value', 'x'), span: at(1, 300) }, long)
    const { source, caret } = frame(shown)
    expect(source).toBe(`…${long.slice(201)}`)
    expect(caret).toBe(`${' '.repeat(99)}^`)
    expect(underCaret(shown)).toBe(long[299])
    // Past the end (a missing value at the end of a line): one column after the last character.
    expect(frame(render({ ...error('bad-value', 'x'), span: at(1, 301) }, long)).caret).toBe(`${' '.repeat(100)}^`)
  })

  it('a span longer than the window: the carets stop where the shown text stops', () => {
    const { source, caret } = frame(render({ ...error('bad-value', 'x'), span: at(1, 10, 250) }, long))
    expect(source).toBe(`${long.slice(0, 99)}…`)
    expect(caret).toBe(`${' '.repeat(9)}${'^'.repeat(90)}`)
  })

  it('hints follow the carets, and other lines of the file do not matter', () => {
    const text = `name: n\n${long}\nsteps: []\n`
    const shown = render(error('bad-value', 'x', at(2, 200, 201), 'a hint'), text)
    expect(shown.split('\n')[1]).toBe(' --> s.yaml:2:200')
    expect(frame(shown).caret).toBe(`${' '.repeat(51)}^ a hint`)
    expect(underCaret(shown)).toBe(long[199])
  })
})

describe('lines with wide and multi-byte characters', () => {
  it('short: the caret counts terminal columns, not bytes or UTF-16 units', () => {
    // 连接路由器: five wide characters (10 columns); 😀: two UTF-16 units, two columns; é: one.
    const line = '  - name: 连接路由器 😀 é expct'
    const col = line.indexOf('expct') + 1
    const shown = render({ ...error('unknown-key', 'x'), span: at(1, col, col + 5) }, line)
    expect(frame(shown)).toEqual({ source: line, caret: `${' '.repeat(10 + 10 + 1 + 2 + 1 + 1 + 1)}^^^^^` })
    expect(underCaret(shown)).toBe('e')
  })

  it('long: cut between characters, never inside a surrogate pair, the caret under its character', () => {
    const line = `  - name: ${'连接😀'.repeat(60)}X${'路由器'.repeat(40)}`
    const col = line.indexOf('X') + 1
    const shown = render({ ...error('bad-value', 'x'), span: at(1, col) }, line)
    const { source } = frame(shown)
    expect(source.startsWith('…') && source.endsWith('…')).toBe(true)
    expect(displayWidth(source)).toBeLessThanOrEqual(MAX_SOURCE_WIDTH)
    expect(source).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/) // no half of a 😀
    expect(underCaret(shown)).toBe('X')
  })

  it('cut with the caret on a wide character', () => {
    const line = `${'a'.repeat(150)}中${'b'.repeat(150)}`
    const shown = render({ ...error('bad-value', 'x'), span: at(1, 151, 152) }, line)
    expect(frame(shown).caret).toBe(`${' '.repeat(51)}^^`)
    expect(underCaret(shown)).toBe('中')
  })
})
