import { describe, expect, it } from 'vitest'
import { parseCli, UsageError, USAGE } from '../../src/cli/args.ts'

describe('report options on the command line', () => {
  it('--reporter takes a comma-separated list and can be repeated; --output-dir and --bail', () => {
    const o = parseCli(['a.yaml', '--reporter', 'junit,json', '--reporter', 'json', '--output-dir', 'out/ci', '--bail'])
    expect(o).toMatchObject({ reporters: ['junit', 'json'], outputDir: 'out/ci', bail: true })
  })

  it('by default: no report files, the default output directory, no bail', () => {
    const o = parseCli(['a.yaml'])
    expect(o.reporters).toBeUndefined()
    expect(o.outputDir).toBeUndefined()
    expect(o.bail).toBeUndefined()
  })

  it('an unknown report format is a usage error that names the known ones', () => {
    expect(() => parseCli(['a.yaml', '--reporter', 'junit,tap'])).toThrow(UsageError)
    expect(() => parseCli(['a.yaml', '--reporter', 'tap'])).toThrow('--reporter: unknown report `tap` (junit, json, html, lava)')
  })

  it('--help documents them', () => {
    expect(USAGE).toContain('--reporter <list>')
    expect(USAGE).toContain('--output-dir <dir>')
    expect(USAGE).toContain('--bail')
  })
})
