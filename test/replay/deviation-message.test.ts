import { describe, expect, it } from 'vitest'
import { Redactor } from '../../src/bytes/redact.ts'

describe('a deviation shown from its offset', () => {
  it('masks a secret the window cuts, not only whole ones', () => {
    const r = new Redactor(['pass1234'])
    // The host wrote `..."pass1234"` and the recording has `pass0000`: the window starts at `1234`.
    expect(r.window(Buffer.from('1234"\r\n')).toString()).toBe('***"\r\n')
    expect(r.window(Buffer.from('AT+X="pass1234"\r\n')).toString()).toBe('AT+X="***"\r\n')
    expect(r.window(Buffer.from('AT\r\n')).toString()).toBe('AT\r\n')
  })
})
