import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'

/** Exit codes a CI pipeline can trust: a selection that runs nothing is not a green build. */

const dirs: string[] = []
function outputDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-cli-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const SHIPPED = ['scenarios/tcp-echo.yaml', 'scenarios/tls-echo.yaml']

describe('tags and shards that select nothing', () => {
  it('--tag that no scenario has: exit 2, nothing run, the tags that exist listed', async () => {
    const run = await runCli(['scenarios/tcp-echo.yaml', '--tag', 'nosuchtag'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe('at-scenario: --tag nosuchtag selects no scenario; nothing was run.\n  tags of the 1 scenario given: smoke, websocket\n')
  })

  it('a near miss gets a did-you-mean, and the tags of several scenarios are counted', async () => {
    const run = await runCli([...SHIPPED, '--tag', 'smok'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      'at-scenario: --tag smok selects no scenario; nothing was run.\n' +
        '  did you mean `smoke`?\n' +
        '  tags of the 2 scenarios given, with how many have each: smoke (2), tls (1), websocket (2)\n',
    )
  })

  it('scenarios with no tags at all: said so', async () => {
    const run = await runCli(['test/fixtures/parallel/a.yaml', 'test/fixtures/parallel/b.yaml', '--tag', 'smoke'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('none of the 2 scenarios given has tags')
  })

  it('--exclude-tag that leaves out every scenario: exit 2, saying so', async () => {
    const alone = await runCli([...SHIPPED, '--exclude-tag', 'smoke'])
    expect(alone.code).toBe(2)
    expect(alone.stdout).toBe('')
    expect(alone.stderr).toContain('at-scenario: --exclude-tag smoke leaves out all 2 scenarios given; nothing was run.\n')
    const withTag = await runCli([...SHIPPED, '--tag', 'tls', '--exclude-tag', 'websocket'])
    expect(withTag.code).toBe(2)
    expect(withTag.stderr).toContain('at-scenario: --tag tls selects 1 scenario and --exclude-tag websocket leaves it out; nothing was run.\n')
  })

  it('a shard left empty by more shards than scenarios: exit 0, and the line says this shard had nothing to run', async () => {
    const out = outputDir()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--shard', '2/3', '--output-dir', out])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('shard 2/3: 0 of 1 scenario; nothing to run in this shard\n')
    expect(run.stdout).not.toContain('running on')
  })

  it('a shard of a selection that tags left empty: exit 2 like any empty selection', async () => {
    const run = await runCli(['scenarios/tcp-echo.yaml', '--tag', 'nosuchtag', '--shard', '1/2'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--tag nosuchtag selects no scenario')
  })

  it('a near miss among tags that still select something is a warning, and the run goes on', async () => {
    const out = outputDir()
    const run = await runCli(['test/fixtures/cli/join.yaml', '--tag', 'wifi', '--tag', 'quik', '--output-dir', out])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('at-scenario: warning: --tag quik: no scenario has this tag; did you mean `quick`?\n')
    expect(run.stdout).toContain('PASSED test/fixtures/cli/join.yaml')
  })
})

describe('--var that no scenario uses', () => {
  it('a warning with a did-you-mean, the name only (never the value), and the run goes on', async () => {
    const out = outputDir()
    const run = await runCli(['test/fixtures/cli/join.yaml', '--var', 'sssid=lab-password-4711', '--output-dir', out])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('at-scenario: warning: --var sssid=…: no scenario uses a variable `sssid`; did you mean `ssid`?\n')
    expect(run.stdout).toContain('PASSED test/fixtures/cli/join.yaml')
    expect(run.stdout + run.stderr).not.toContain('lab-password-4711')
  })

  it('validate warns too, once per name; names a scenario uses and host.ip get no warning', async () => {
    const run = await runCli(['validate', 'scenarios/tcp-echo.yaml', '--var', 'pasword=x-4711', '--var', 'pasword=y-4711', '--var', 'port=9000', '--var', 'host.ip=127.0.0.1', '--var', 'WIFI_SSID=lab'])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe(
      'at-scenario: warning: --var pasword=…: no scenario uses a variable `pasword`; did you mean `password`?\n' +
        'at-scenario: warning: --var WIFI_SSID=…: no scenario uses a variable `WIFI_SSID`; the scenarios read `${env.WIFI_SSID}`: set WIFI_SSID in the environment or in .env\n',
    )
    expect(run.stdout).toBe('✔ scenarios/tcp-echo.yaml\n')
  })
})

describe('mistakes on the command line: one line and a pointer to --help', () => {
  it('a mistyped command: did you mean, exit 2, not read as a scenario file', async () => {
    const run = await runCli(['valdate', 'scenarios/tcp-echo.yaml'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe('at-scenario: unknown command `valdate`; did you mean `validate`?\nSee `at-scenario --help`.\n')
  })

  it('an unknown option: did you mean, without the whole usage', async () => {
    const long = await runCli(['scenarios/tcp-echo.yaml', '--prot', '/dev/ttyUSB0'])
    expect(long.code).toBe(2)
    expect(long.stderr).toBe('at-scenario: unknown option `--prot`; did you mean `--port`?\nSee `at-scenario --help`.\n')
    const short = await runCli(['scenarios/tcp-echo.yaml', '-P', '/dev/ttyUSB0'])
    expect(short.code).toBe(2)
    expect(short.stderr).toBe('at-scenario: unknown option `-P`; did you mean `-p`?\nSee `at-scenario --help`.\n')
    const inSim = await runCli(['sim', '--lisen', 'tcp://127.0.0.1:3333'])
    expect(inSim.code).toBe(2)
    expect(inSim.stderr).toBe('at-scenario: unknown option `--lisen`; did you mean `--listen`?\nSee `at-scenario sim --help`.\n')
  })

  it('sim --help shows the options of sim only; --help shows every command', async () => {
    const sim = await runCli(['sim', '--help'])
    expect(sim.code).toBe(0)
    expect(sim.stdout).toContain('at-scenario sim [--pty | --listen tcp://HOST:PORT | --port <path>]')
    expect(sim.stdout).toContain('Options of sim:')
    expect(sim.stdout).toMatch(/^ +--pty +make a pseudo-terminal pair/m)
    expect(sim.stdout).not.toContain('--tag')
    expect(sim.stdout).not.toContain('Options of run')
    const all = await runCli(['--help'])
    expect(all.code).toBe(0)
    for (const section of ['Options of run:', 'Options of validate', 'Options of import:', 'Options of sim:']) expect(all.stdout).toContain(section)
    for (const command of ['validate', 'ports', 'import']) {
      const one = await runCli([command, '--help'])
      expect(one.code).toBe(0)
      expect(one.stdout).toContain(`at-scenario ${command}`)
      expect(one.stdout).not.toContain('Options of sim')
    }
  })
})
