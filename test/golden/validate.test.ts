import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.ts'
import { captureIo } from '../helpers/capture-io.ts'
import { goldenText } from './golden-file.ts'

/**
 * Golden tests of `at-scenario validate`, in hurl's style: one directory per case with the bad
 * scenario and the exact expected stderr. Each scenario's first line, `# expect: L:C ...`, lists
 * where its problems are, and the test checks that the output points exactly there.
 * Regenerate the expected files with `npm run golden:update` after reviewing a change; a case
 * without its expected.stderr fails until that is run.
 */
const root = new URL('.', import.meta.url).pathname
const dir = join(root, 'validate')
const cases = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort()

describe('validate: golden error output', () => {
  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25)
  })

  for (const name of cases) {
    it(name, async () => {
      const file = relative(process.cwd(), join(dir, name, 'scenario.yaml'))
      const io = captureIo({})
      const code = await main(['validate', file], io)
      const stderr = io.err()
      expect(stderr).toBe(goldenText(join(dir, name, 'expected.stderr'), stderr))
      expect(code).toBe(/^error\[/m.test(stderr) ? 2 : 0)
      const header = /^# expect:((?: \d+:\d+)+)/.exec(readFileSync(join(dir, name, 'scenario.yaml'), 'utf8'))
      expect(header, 'the case names its expected locations on its first line').not.toBeNull()
      const wanted = header![1]!.trim().split(' ')
      const pointed = [...stderr.matchAll(/--> (.+?):(\d+):(\d+)$/gm)].map((m) => `${m[2]}:${m[3]}`)
      expect(pointed).toEqual(wanted)
      expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/) // never a stack trace
    })
  }
})
