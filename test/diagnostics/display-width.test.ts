import { describe, expect, it } from 'vitest'
import { displayWidth } from '../../src/diagnostics/display-width.ts'

describe('terminal columns of text', () => {
  it.each([
    ['AT+CWJAP="lab"', 14],
    ['连接路由器', 10], // CJK ideographs: two columns each
    ['ｗｉｆｉ', 8], // fullwidth Latin
    ['와이파이', 8], // Hangul
    ['😀🚀', 4], // emoji outside the BMP: two UTF-16 units, two columns
    ['e\u0301', 1], // e + combining acute accent
    ['a\u200db', 2], // a zero-width joiner
    ['café ½ → ✔', 10],
  ])('%s is %i columns', (text, width) => expect(displayWidth(text)).toBe(width))
})
