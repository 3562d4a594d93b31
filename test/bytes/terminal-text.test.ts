import { describe, expect, it } from 'vitest'
import { terminalText } from '../../src/bytes/terminal-text.ts'

describe('device text for a terminal', () => {
  it('shows every character a terminal acts on in the quoted notation, and nothing else changes', () => {
    expect(terminalText('\u001b]0;PWNED\u0007')).toBe('\\x1b]0;PWNED\\x07')
    expect(terminalText('\u001b[2K\rFAKE: PASSED')).toBe('\\x1b[2K\\rFAKE: PASSED')
    expect(terminalText('a\tb\nc\u0000\u007f\u009b')).toBe('a\\tb\\nc\\x00\\x7f\\x9b')
    expect(terminalText('abc\u202edcba\u2066x\u2028')).toBe('abc\\u{202e}dcba\\u{2066}x\\u{2028}')
    expect(terminalText('+CWJAP:"lab\\,1" é ✔')).toBe('+CWJAP:"lab\\,1" é ✔')
  })

  it('leaves no ESC or BEL byte in any text', () => {
    let all = ''
    for (let c = 0; c < 0x3000; c++) all += String.fromCharCode(c)
    const shown = terminalText(all)
    // eslint-disable-next-line no-control-regex
    expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
    expect(terminalText(shown)).toBe(shown)
  })
})
