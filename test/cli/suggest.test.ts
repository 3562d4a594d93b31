import { describe, expect, it } from 'vitest'
import { didYouMean, editDistance } from '../../src/diagnostics/suggest.ts'

describe('did you mean', () => {
  it('counts a swap of two neighbouring letters as one edit', () => {
    expect(editDistance('tsl', 'tls')).toBe(1)
    expect(editDistance('imoprt', 'import')).toBe(1)
    expect(editDistance('valdate', 'validate')).toBe(1)
    expect(editDistance('kitten', 'sitting')).toBe(3)
    expect(editDistance('abc', 'xyzabc', 2)).toBe(3)
    expect(editDistance('', 'ab')).toBe(2)
  })

  it('suggests within one edit for short words, two for longer ones', () => {
    expect(didYouMean('tsl', ['smoke', 'tls'])).toBe('tls')
    expect(didYouMean('sm', ['sim', 'run'])).toBe('sim')
    expect(didYouMean('xyz', ['sim', 'run'])).toBeUndefined()
    expect(didYouMean('expct', ['expect', 'timeout'])).toBe('expect')
    expect(didYouMean('TIMEOUT', ['expect', 'timeout'])).toBe('timeout')
    expect(didYouMean('nightly', ['smoke', 'tls'])).toBeUndefined()
  })
})
