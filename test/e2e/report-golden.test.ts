import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { goldenText } from '../golden/golden-file.ts'
import { ROOT, runCli } from '../helpers/cli.ts'

/**
 * Golden tests of what a person sees when a scenario fails, in plain mode (no terminal): one case
 * per folder of test/golden-output/, hurl-style: `scenario.yaml` is run by the real CLI, and its
 * stdout, stderr and exit code must equal `expected.stdout`, `expected.stderr` and
 * `expected.exit-code`, once timing-dependent parts are normalised.
 * `npm run golden:update` rewrites the expected files from the current output (review the diff);
 * a case with an expected file missing fails until that is run.
 */
const CASES = join(ROOT, 'test/golden-output')

/** Durations and relative times change from run to run; the temporary output folder too. */
function normalise(text: string, outputDir: string): string {
  return text
    .split(outputDir)
    .join('<output-dir>')
    .replace(/\((\d+ ms|\d+\.\d s|\d+m \d\ds)(, \d+ attempts)?\)/g, '(<duration>$2)')
    .replace(/ready in \d+ ms/g, 'ready in <n> ms')
    .replace(/^ +[+-]\d+ms ([→←])/gm, '      <+ms> $1')
    .replace(/ in \d+\.\d\ds$/gm, ' in <seconds>s')
}

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('terminal output of failures, plain mode (golden)', () => {
  const cases = readdirSync(CASES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(CASES, d.name, 'scenario.yaml')))
    .map((d) => d.name)

  it('has the four failure kinds the reports must explain', () => {
    expect(cases).toEqual(expect.arrayContaining(['unmet-expectation', 'timeout', 'unexpected-error', 'crashed-prerequisite']))
  })

  for (const name of cases) {
    it(name, async () => {
      const dir = join(CASES, name)
      const out = mkdtempSync(join(tmpdir(), 'at-scenario-golden-'))
      dirs.push(out)
      const run = await runCli([`test/golden-output/${name}/scenario.yaml`, '--output-dir', out])
      const actual = { stdout: normalise(run.stdout, out), stderr: normalise(run.stderr, out), code: `${run.code}\n` }
      const expected = {
        stdout: goldenText(join(dir, 'expected.stdout'), actual.stdout),
        stderr: goldenText(join(dir, 'expected.stderr'), actual.stderr),
        code: goldenText(join(dir, 'expected.exit-code'), actual.code),
      }
      expect(actual).toEqual(expected)
      // Plain mode carries no escape codes, and the transcript the failure points at exists.
      expect(run.stdout + run.stderr).not.toContain('\u001b[')
      expect(existsSync(join(out, 'scenario.transcript.txt'))).toBe(true)
    })
  }
})
