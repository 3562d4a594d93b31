import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'

const dir = mkdtempSync(join(tmpdir(), 'at-scenario-node-version-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs the real bin on a Node that reports another version (a preload rewrites process.versions.node). */
function runAsNode(version: string, args: string[]) {
  const preload = join(dir, `node-${version}.mjs`)
  writeFileSync(preload, `Object.defineProperty(process.versions, 'node', { value: ${JSON.stringify(version)} })\n`)
  return runCli(args, { env: { NODE_OPTIONS: `--import ${preload}` } })
}

describe('an old Node.js', () => {
  it('gets one line naming the version needed, exit 3, and nothing else runs', async () => {
    const run = await runAsNode('20.11.1', ['validate', 'scenarios/tcp-echo.yaml'])
    expect(run.stderr).toBe('at-scenario needs Node.js 20.12 or newer; this is Node.js 20.11.1\n')
    expect(run.stdout).toBe('')
    expect(run.code).toBe(3)
  })

  it('20.12 itself passes the check and the command runs', async () => {
    const run = await runAsNode('20.12.0', ['validate', 'scenarios/tcp-echo.yaml'])
    expect(run.stderr).toBe('')
    expect(run.stdout).toBe('✔ scenarios/tcp-echo.yaml\n')
    expect(run.code).toBe(0)
  })
})
