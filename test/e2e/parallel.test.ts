import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shardOf } from '../../src/engine/run-suite.ts'
import { runCli } from '../helpers/cli.ts'
import { ptyPair } from '../helpers/pty.ts'
import type { PtyPair } from '../helpers/pty.ts'
import { startSim } from '../helpers/sim.ts'
import type { SimProcess } from '../helpers/sim.ts'


const FILES = ['a', 'b', 'c', 'd'].map((n) => `test/fixtures/parallel/${n}.yaml`)

describe('several devices', () => {
  const pairs: PtyPair[] = []
  const sims: SimProcess[] = []
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const pair = await ptyPair()
      pairs.push(pair)
      sims.push(await startSim(['--port', pair.device]))
    }
  })
  afterAll(async () => {
    for (const sim of sims) await sim.stop()
    for (const pair of pairs) await pair.close()
  })

  it('two simulated devices run four scenarios, two each, side by side; output and reports say which port ran what', async () => {
    const out = mkdtempSync(join(tmpdir(), 'at-scenario-parallel-'))
    const [a, b] = pairs.map((p) => p.host) as [string, string]
    const run = await runCli([...FILES, '--port', a, '--port', b, '--var', 'host.ip=127.0.0.1', '--reporter', 'json', '--output-dir', out])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const lines = run.stdout.split('\n')
    const started = (port: string) => lines.filter((l) => l.startsWith(`[${port}] `) && l.includes(': running on '))
    expect(started(a)).toHaveLength(2)
    expect(started(b)).toHaveLength(2)
    // Side by side: the second device starts its first scenario before the first device is done with its own.
    const firstA = lines.findIndex((l) => l.startsWith(`[${a}] `) && l.includes(': running on '))
    const firstB = lines.findIndex((l) => l.startsWith(`[${b}] `) && l.includes(': running on '))
    const firstPassed = lines.findIndex((l) => /\] PASSED /.test(l))
    expect(Math.max(firstA, firstB)).toBeLessThan(firstPassed)
    // Every progress line carries its port.
    for (const l of lines.filter((l) => /^\S*(✔|✖|↓) /.test(l))) expect(l).toMatch(/^\[/)
    const report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { scenarios: { scenario: { file: string }; target: string; status: string }[] }
    expect(report.scenarios.map((s) => s.scenario.file).sort()).toEqual(FILES)
    expect(report.scenarios.filter((s) => s.target.startsWith(a))).toHaveLength(2)
    expect(report.scenarios.filter((s) => s.target.startsWith(b))).toHaveLength(2)
    expect(report.scenarios.every((s) => s.status === 'passed')).toBe(true)
  })

  it('--shard i/n splits the scenarios deterministically, whatever their order on the command line', async () => {
    const shares = [1, 2, 3].map((index) => shardOf([...FILES].reverse().map((file) => ({ file })), { index, count: 3 }).map((s) => s.file))
    expect(shares.flat().sort()).toEqual(FILES)
    expect(shares).toEqual([1, 2, 3].map((index) => shardOf(FILES.map((file) => ({ file })), { index, count: 3 }).map((s) => s.file)))
    const run = await runCli([...FILES, '--shard', '2/3'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('shard 2/3: 1 of 4 scenarios')
    expect(run.stdout).toContain(`${FILES[1]}: running on`)
  })
})
