import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { goldenText } from './golden-file.ts'

const dir = mkdtempSync(join(tmpdir(), 'at-scenario-golden-file-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('golden files', () => {
  it('a missing expected file fails, naming it and the command that writes it, and is not created', () => {
    const path = join(dir, 'expected.stderr')
    expect(() => goldenText(path, 'whatever the code printed', false)).toThrow(
      `golden file ${path} is missing: run \`npm run golden:update\` to write it from the current output, and review it before committing`,
    )
    expect(existsSync(path)).toBe(false)
  })

  it('an existing file is read as it is, whatever the output', () => {
    const path = join(dir, 'present.stderr')
    writeFileSync(path, 'expected\n')
    expect(goldenText(path, 'actual\n', false)).toBe('expected\n')
    expect(readFileSync(path, 'utf8')).toBe('expected\n')
  })

  it('with update, the output becomes the file, created or replaced', () => {
    const path = join(dir, 'updated.stderr')
    expect(goldenText(path, 'new\n', true)).toBe('new\n')
    expect(goldenText(path, 'newer\n', true)).toBe('newer\n')
    expect(readFileSync(path, 'utf8')).toBe('newer\n')
  })
})
