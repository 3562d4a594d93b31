import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { checkResultJson } from '../report/checks.ts'

/**
 * Budgets and --repeat through the CLI, on the simulator with a profile whose device takes 400 ms
 * to start on every command (test/fixtures/budget/slow-device.yaml, faults.commandLatency).
 */
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))
const outDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'at-scenario-budget-'))
  dirs.push(d)
  return d
}

interface Results {
  status: string
  latency: { commands: { command: string; count: number; resultMs: { p50: number; max: number } }[] }
  scenarios: { status: string; repeat?: { index: number; of: number }; steps: { name: string; status: string; budgetMs?: number; latency?: { resultMs?: number }; failure?: { reason: string } }[] }[]
}

describe('a budget exceeded on the simulator', () => {
  it('fails its step as over-budget, in JUnit and results.json, and the run exits 4', async () => {
    const dir = outDir()
    const run = await runCli(['test/fixtures/budget/budget.yaml', '--reporter', 'junit,json,html', '--output-dir', dir])
    expect(run.code, run.stderr).toBe(4)
    expect(run.stdout).toMatch(/✖ Set Wi-Fi mode to station \(\d+ ms\): the answer to `AT\+CWMODE` took 4\d\d(\.\d)? ms, over the step's budget of 300 ms/)
    expect(run.stdout).toMatch(/Failed \(1\):\n {2}test\/fixtures\/budget\/budget\.yaml:10:5 {2}Set Wi-Fi mode to station {2}— over-budget: /)
    expect(run.stderr).toContain('error[over-budget]: step "Set Wi-Fi mode to station" failed')
    expect(run.stderr).toMatch(/latency: first byte after [\d.]+ ms, answer after 4\d\d(\.\d)? ms; budget 300 ms/)
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/<testcase name="Set Wi-Fi mode to station"[^>]*>\s*<failure type="over-budget" message="the answer to `AT\+CWMODE` took/)
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results
    expect(checkResultJson(results).errors).toBe('[]')
    const [first, late] = results.scenarios[0]!.steps
    // defaults.budget (2s) covers the first step, which passed within it.
    expect(first).toMatchObject({ status: 'passed', budgetMs: 2000 })
    expect(late).toMatchObject({ status: 'failed', budgetMs: 300, failure: { reason: 'over-budget' } })
    expect(late!.latency!.resultMs).toBeGreaterThan(300)
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('<article class="failure over-budget">')
  })

  it('a wrong answer beside a late one exits 1: a failure outranks a slow device', async () => {
    const run = await runCli(['test/fixtures/budget/budget.yaml', 'test/fixtures/report/fails.yaml', '--output-dir', outDir()])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/Scenarios:\n {2}FAILED test\/fixtures\/budget\/budget\.yaml: 1 passed, 1 failed, 1 skipped in [\d.]+s\n {2}FAILED test\/fixtures\/report\/fails\.yaml: /)
    expect(run.stdout).toContain('— over-budget:')
    expect(run.stdout).toContain('— unexpected-result:')
  })
})

describe('--repeat', () => {
  it('runs a scenario n times on its device, reports each run, and gives the latency over all of them', async () => {
    const dir = outDir()
    const run = await runCli(['test/fixtures/report/passes.yaml', '--repeat', '3', '--reporter', 'json', '--output-dir', dir])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('test/fixtures/report/passes.yaml (run 2 of 3): running on the built-in ESP-AT simulator')
    expect(run.stdout).toMatch(/PASSED 1 scenario, 3 runs: 3 passed in /)
    for (const n of [1, 2, 3]) expect(existsSync(join(dir, `passes.run-${n}.transcript.txt`))).toBe(true)
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results
    expect(checkResultJson(results).errors).toBe('[]')
    expect(results.scenarios.map((s) => s.repeat)).toEqual([
      { index: 1, of: 3 },
      { index: 2, of: 3 },
      { index: 3, of: 3 },
    ])
    expect(results.latency.commands).toEqual([expect.objectContaining({ command: 'AT', count: 3 })])
  })

  it('with --bail stops at the first run that does not pass; the rest are reported not run', async () => {
    const dir = outDir()
    const run = await runCli(['test/fixtures/report/fails.yaml', '--repeat', '3', '--bail', '--reporter', 'json', '--output-dir', dir])
    expect(run.code).toBe(1)
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results
    expect(results.scenarios.map((s) => s.status)).toEqual(['failed', 'not-run', 'not-run'])
    expect(results.scenarios.map((s) => s.repeat?.index)).toEqual([1, 2, 3])
  })

  it('bad values are usage errors', async () => {
    for (const bad of ['0', 'two', '1.5']) {
      const run = await runCli(['test/fixtures/report/passes.yaml', '--repeat', bad])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(`--repeat needs a whole number of runs from 1 to 1000000, got \`${bad}\``)
    }
  })
})
