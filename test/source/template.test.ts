import { describe, expect, it } from 'vitest'
import { parseDuration } from '../../src/source/duration.ts'
import { splitCommandLine } from '../../src/source/normalize.ts'
import { escapeRegExp, parseTemplate, references, renderTemplate, UndefinedVariableError } from '../../src/source/template.ts'

const scope = (values: Record<string, string>) => (name: string) => values[name]

describe('templates', () => {
  it('renders variables, env with fallback, host.ip, and $${ as a literal ${', () => {
    const t = parseTemplate('AT+CWJAP="${ssid}","${env.PW:-x}" ${host.ip} $${not} ${port}')
    expect(references(t).map((r) => r.name)).toEqual(['ssid', 'env.PW', 'host.ip', 'port'])
    expect(renderTemplate(t, scope({ ssid: 'lab', 'host.ip': '127.0.0.1', port: '1' }))).toBe('AT+CWJAP="lab","x" 127.0.0.1 ${not} 1')
    expect(renderTemplate(t, scope({ ssid: 'lab', 'env.PW': 'pw', 'host.ip': 'h', port: '1' }))).toBe('AT+CWJAP="lab","pw" h ${not} 1')
  })

  it('an empty fallback is a value; a missing variable without one throws', () => {
    expect(renderTemplate(parseTemplate('[${env.X:-}]'), scope({}))).toBe('[]')
    expect(() => renderTemplate(parseTemplate('${nope}'), scope({}))).toThrow(UndefinedVariableError)
  })

  it('reports an unclosed ${ and a reference that is not a name, with the offset', () => {
    expect(parseTemplate('ab${x').error).toMatchObject({ offset: 2 })
    expect(parseTemplate('ab${x').error?.message).toContain('unclosed')
    expect(parseTemplate('${a b}').error?.message).toContain('is not a variable reference')
  })

  it('escapes values for regular expressions so they match literally', () => {
    const re = new RegExp(`^${renderTemplate(parseTemplate('${v}'), scope({ v: 'a.b(c)' }), escapeRegExp)}$`)
    expect(re.test('a.b(c)')).toBe(true)
    expect(re.test('axb(c)')).toBe(false)
  })
})

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5000],
    ['1.5s', 1500],
    ['2m', 120_000],
    [750, 750],
    [' 3s ', 3000],
  ])('%s is %i ms', (input, ms) => expect(parseDuration(input)).toBe(ms))

  it.each(['5 seconds', '5', 'soon', -1, 1.5, '1h'])('%s is not a duration', (input) => expect(parseDuration(input)).toBeUndefined())
})

describe('prerequisite command lines', () => {
  it('splits words as a shell would, without expanding anything', () => {
    expect(splitCommandLine(`python3 server.py --name "a b" 'c d' e\\ f "" $HOME`)).toEqual({ words: ['python3', 'server.py', '--name', 'a b', 'c d', 'e f', '', '$HOME'] })
    expect(splitCommandLine(`sh -c "echo 'it''s'" x\\"y`)).toEqual({ words: ['sh', '-c', "echo 'it''s'", 'x"y'] })
  })

  it('a quote never closed is reported with the offset of that quote', () => {
    expect(splitCommandLine(`python3 -c 'print(1)`)).toEqual({ words: ['python3', '-c', 'print(1)'], openQuote: 11 })
    expect(splitCommandLine(`a "b c" 'd`).openQuote).toBe(8)
    expect(splitCommandLine(`say "it's`).openQuote).toBe(4)
    expect(splitCommandLine(`say it\\'s`).openQuote).toBeUndefined()
  })
})
