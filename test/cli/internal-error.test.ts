import { describe, expect, it } from 'vitest'
import { internalErrorText } from '../../src/cli/internal-error.ts'

describe('internal errors', () => {
  it('one line, with where to find the stack, unless AT_SCENARIO_DEBUG=1', () => {
    const e = new Error('something broke\nsecond line')
    expect(internalErrorText(e, {})).toBe('at-scenario: internal error: something broke (AT_SCENARIO_DEBUG=1 shows the stack)\n')
    const debug = internalErrorText(e, { AT_SCENARIO_DEBUG: '1' })
    expect(debug.startsWith(`${e.stack}\n`)).toBe(true)
    expect(debug.endsWith('at-scenario: internal error: something broke\n')).toBe(true)
  })

  it('a thrown value that is not an Error, and an Error with no message', () => {
    expect(internalErrorText('a string', {})).toBe('at-scenario: internal error: a string (AT_SCENARIO_DEBUG=1 shows the stack)\n')
    expect(internalErrorText(new TypeError(''), {})).toBe('at-scenario: internal error: TypeError (AT_SCENARIO_DEBUG=1 shows the stack)\n')
  })
})
