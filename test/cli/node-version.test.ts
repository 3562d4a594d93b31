import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { MINIMUM_NODE, nodeVersionProblem } from '../../src/cli/node-version.ts'

describe('the Node.js version check of bin/at-scenario.js', () => {
  it('refuses every Node before 20.12 with one line naming both versions', () => {
    for (const old of ['20.0.0', '20.11.1', '18.20.4', 'v16.20.2']) {
      expect(nodeVersionProblem(old)).toBe(`at-scenario needs Node.js 20.12 or newer; this is Node.js ${old}`)
    }
  })

  it('accepts 20.12 and everything newer', () => {
    for (const ok of ['20.12.0', '20.20.2', '21.0.0', '22.11.0', 'v24.1.0', '100.0.0']) expect(nodeVersionProblem(ok)).toBeUndefined()
  })

  it('refuses what it cannot read as a version instead of guessing', () => {
    expect(nodeVersionProblem('')).toBe('at-scenario needs Node.js 20.12 or newer; this is Node.js ')
  })

  it('checks the version package.json declares', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE.replace(/\.0$/, '')}`)
    // and the version this test runs on passes it (CI runs a supported Node)
    expect(nodeVersionProblem(process.versions.node)).toBeUndefined()
  })
})
