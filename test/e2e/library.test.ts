import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/cli.ts'
import { freePort } from '../helpers/net.ts'
import { pythonWithWebsockets } from '../helpers/python.ts'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** The README's library example, exactly as written there (the block after `<!-- library-example -->`). */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const m = /<!-- library-example -->\n```js\n([\s\S]*?)```/.exec(readme)
  if (!m) throw new Error('README.md has no library example')
  return m[1]!
}

describe('the README library example', () => {
  it('runs as written, against the package as installed (its exports), and the scenario passes', async () => {
    const code = readmeExample()
    expect(code.split('\n').filter(Boolean).length).toBeLessThanOrEqual(13)
    const port = await freePort()
    // An app of its own that depends on at-scenario, as `npm install` would leave it.
    const app = mkdtempSync(join(tmpdir(), 'at-scenario-library-'))
    dirs.push(app)
    mkdirSync(join(app, 'node_modules'))
    symlinkSync(ROOT, join(app, 'node_modules', 'at-scenario'))
    // The same scenario, relative to where the app runs; the port is a free one for this test.
    symlinkSync(join(ROOT, 'scenarios'), join(app, 'scenarios'))
    writeFileSync(join(app, 'example.mjs'), code.replace("['port', '8765']", `['port', '${port}']`))
    const run = spawnSync(process.execPath, ['example.mjs'], { cwd: app, encoding: 'utf8', env: { PATH: process.env.PATH, PYTHON: pythonWithWebsockets() }, timeout: 30_000 })
    expect(run.stderr).toBe('')
    const lines = run.stdout.trim().split('\n')
    expect(lines).toContain('passed Connect to the router')
    expect(lines).toContain('passed Receive 4 bytes')
    expect(lines.at(-1)).toBe('passed')
    expect(run.status).toBe(0)
  })
})
