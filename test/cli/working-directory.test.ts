import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.ts'
import { captureIo } from '../helpers/capture-io.ts'

const work = mkdtempSync(join(tmpdir(), 'at-scenario-workdir-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe("the CLI's working directory reaches the loader", () => {
  it('a relative scenario path and an include cycle are read and named from io.cwd, not the process directory', async () => {
    mkdirSync(join(work, 'cycle'))
    writeFileSync(join(work, 'cycle', 'a.yaml'), 'name: a\nsteps:\n  - include: b.yaml\n')
    writeFileSync(join(work, 'cycle', 'b.yaml'), 'steps:\n  - include: a.yaml\n')
    writeFileSync(join(work, 'ok.yaml'), 'name: ok\nsteps:\n  - send: AT\n')
    expect(process.cwd()).not.toBe(work)

    const ok = captureIo({}, work)
    expect(await main(['validate', 'ok.yaml'], ok)).toBe(0)
    expect(ok.out()).toBe('✔ ok.yaml\n')

    const bad = captureIo({}, work)
    expect(await main(['validate', 'cycle/a.yaml'], bad)).toBe(2)
    expect(bad.err()).toContain('include cycle: cycle/a.yaml → cycle/b.yaml → cycle/a.yaml\n --> cycle/b.yaml:2:14')
  })
})
