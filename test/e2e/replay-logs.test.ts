import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseRecording } from '../../src/replay/atrec-reader.ts'
import { runCli } from '../helpers/cli.ts'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'at-scenario-replay-logs-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Two logs pasted into public ESP-AT issues, each with a scenario written for it. */
const LOGS = [
  {
    log: 'test/fixtures/logs/issue-479-cwjap-query.txt',
    scenario: 'test/fixtures/replay/issue-479.yaml',
    summary: '4 host commands, 12 device lines.',
    confirm: ['lines 4, 7, 12, 16: commands shown once are taken as written by the host, with no echo from the device (as after ATE0); a runner does not depend on the echo'],
    passed: 5,
  },
  {
    log: 'test/fixtures/logs/issue-315-sntp-1970.txt',
    scenario: 'test/fixtures/replay/issue-315.yaml',
    summary: '4 host commands, 8 device lines.',
    confirm: [
      'lines 2, 5, 11, 14: commands shown once are taken as written by the host, with no echo from the device (as after ATE0); a runner does not depend on the echo',
      'lines 3, 6, 12, 15: `回复：` read as a label, not as data, and left out',
    ],
    passed: 4,
  },
]

describe('serial logs from ESP-AT issues, imported and replayed', () => {
  for (const c of LOGS) {
    it(`${c.log}: imports, lists what to confirm, and replays with its scenario`, async () => {
      const recording = join(dir, `${c.log.replace(/.*\//, '')}.atrec`)
      const imported = await runCli(['import', c.log, '-o', recording])
      expect(imported.stderr).toBe('')
      expect(imported.code).toBe(0)
      expect(imported.stdout).toBe(
        [`Imported ${c.log}: ${c.summary}`, 'Please confirm:', ...c.confirm.map((l) => `  ${l}`), `Written: ${recording}`, `Replay it with: at-scenario <scenario.yaml> --port replay:${recording}`, ''].join('\n'),
      )
      // What to confirm is kept in the recording too, for whoever reads it later.
      const text = readFileSync(recording, 'utf8')
      for (const l of c.confirm) expect(text).toContain(`# confirm: ${l}\n`)
      expect(parseRecording(text).header.source).toBe(c.log.replace(/.*\//, ''))

      const run = await runCli([c.scenario, '--port', `replay:${recording}`, '--output-dir', join(dir, 'reports')])
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(run.stdout).toContain(`running on a replay of ${recording.replace(/.*\//, '')}`)
      expect(run.stdout).toContain(`: ${c.passed} passed`)
    })
  }

  it('a scenario that sends another command than the log fails at once, naming the log line', async () => {
    const recording = join(dir, 'issue-315.atrec')
    await runCli(['import', 'test/fixtures/logs/issue-315-sntp-1970.txt', '-o', recording])
    const edited = join(dir, 'issue-315-edited.yaml')
    writeFileSync(edited, readFileSync('test/fixtures/replay/issue-315.yaml', 'utf8').replace('"ntp1.aliyun.com"', '"pool.ntp.org"'))
    const run = await runCli([edited, '--port', `replay:${recording}`, '--output-dir', join(dir, 'reports')])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(
      /step "Configure SNTP, UTC\+8" errored: the link to the device closed \(replay of issue-315\.atrec: the host deviated from the recording at offset \d+ of its bytes \(issue-315\.atrec:\d+, log line 11 "AT\+CIPSNTPCFG=1,8,\\"ntp1\.aliyun\.com\\""\): after "[^"]*=1,8,\\"" the recording has "ntp1\.aliyun\.com\\"\\r\\n", the host wrote "pool\.ntp\.org\\"\\r\\n"\)/,
    )
  })

  it('a log that cannot be read is bad input; a recording that cannot be read cannot run', async () => {
    const missing = await runCli(['import', join(dir, 'no-such-log.txt')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('no-such-log.txt: no such file')
    const notRecording = join(dir, 'not-a-recording.atrec')
    writeFileSync(notRecording, 'AT\r\nOK\r\n')
    const run = await runCli(['test/fixtures/replay/issue-315.yaml', '--port', `replay:${notRecording}`, '--output-dir', join(dir, 'reports')])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain(`at-scenario: cannot replay ${notRecording}: line 1: not an at-scenario recording: the first line must be \`atrec 1\``)
  })
})

describe('--no-prerequisites', () => {
  it('starts none of the prerequisites and says so; without it, one that cannot start stops the run', async () => {
    const without = await runCli(['test/fixtures/replay/needs-a-server.yaml', '--output-dir', join(dir, 'reports')])
    expect(without.code).toBe(3)
    const run = await runCli(['test/fixtures/replay/needs-a-server.yaml', '--no-prerequisites', '--reporter', 'json', '--output-dir', join(dir, 'no-prereq')])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('↓ Start A server that does not exist (skipped)')
    const result = (JSON.parse(readFileSync(join(dir, 'no-prereq', 'results.json'), 'utf8')) as { scenarios: { prerequisites: unknown[] }[] }).scenarios[0]!
    expect(result.prerequisites[0]).toMatchObject({ status: 'skipped', message: 'skipped: --no-prerequisites' })
    expect(readFileSync(join(dir, 'no-prereq', 'needs-a-server.transcript.txt'), 'utf8')).toContain('prerequisite "A server that does not exist" did not start: skipped: --no-prerequisites')
  })
})
