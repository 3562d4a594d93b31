import { describe, expect, it } from 'vitest'
import { nestedQuantifier } from '../../src/source/lint.ts'
import { parseScenario } from '../../src/source/load.ts'

describe('the lint of regular expressions', () => {
  it('finds a repeated group that repeats inside, and lets delimited repetitions and plain groups be', () => {
    expect(nestedQuantifier('(a+)+$')).toBe('(a+)+')
    expect(nestedQuantifier('^(\\w+\\s?)*$')).toBe('(\\w+\\s?)*')
    expect(nestedQuantifier('(?:x*){2,}')).toBe('(?:x*){2,}')
    expect(nestedQuantifier('((a)+)+')).toBe('((a)+)+')
    for (const safe of ['^\\+CWJAP:"(?<ssid>[^"]+)"', '(a|b)+', '(ab)+c*', '([a-z]+)?x', '(?<x>\\d+)(,\\d+)*', '(a{1,3}){2}', '[(]+)+', '\\(a+\\)+']) {
      expect(nestedQuantifier(safe), safe).toBeUndefined()
    }
  })

  it('warns at the expectation, with a hint, in steps, waits and prerequisites; the scenario still loads', () => {
    const { scenario, diagnostics } = parseScenario(
      't.yaml',
      `name: n
prerequisites:
  - run: [sleep, "9"]
    ready: { stdout: "/^(\\\\w+ ?)+ready$/" }
steps:
  - send: AT+CWLAP
    expect: [/^(a+)+$/, OK]
  - wait: /^\\+CWJAP:(?<code>\\d)$/
`,
      { cliVars: new Map(), env: {}, cwd: process.cwd() },
    )
    expect(scenario).toBeDefined()
    expect(diagnostics.map((d) => [d.code, d.severity, d.span?.start.line])).toEqual([
      ['bad-regex', 'warning', 4],
      ['bad-regex', 'warning', 7],
    ])
    expect(diagnostics[1]!.message).toMatch(/^nested quantifiers in `\/\^\(a\+\)\+\$\/`: `\(a\+\)\+` repeats a group/)
    expect(diagnostics[1]!.hint).toContain('`(a+)+` matches what `a+` does')
  })
})
