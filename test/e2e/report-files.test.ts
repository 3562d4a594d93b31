import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { checkResultJson, junitFiles, parseTranscript } from '../report/checks.ts'

const dirs: string[] = []
function outputDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-reports-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

interface JsonScenario {
  scenario: { name: string; file: string }
  status: string
  transcript?: string
  device?: string
  notRun?: { reason: string; message: string }
  steps: { name: string; status: string; failure?: { reason: string; errCode?: string } }[]
}

function readJson(dir: string): { complete: boolean; status: string; scenarios: JsonScenario[] } {
  const data = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as unknown
  const check = checkResultJson(data)
  expect(check.errors).toBe('[]')
  expect(check.valid).toBe(true)
  return data as { complete: boolean; status: string; scenarios: JsonScenario[] }
}

const junit = junitFiles()
/** The run's junit.xml, checked for structure now and against the Jenkins XSD at the end of the file. */
const expectValidJUnit = (dir: string): string => junit.check(join(dir, 'junit.xml'))

describe('report files of a run of several scenarios', () => {
  it('writes a transcript per scenario, well-formed and complete JUnit and JSON valid against its schema', async () => {
    const out = outputDir()
    const run = await runCli([
      'test/fixtures/report/passes.yaml',
      'test/fixtures/report/fails.yaml',
      'test/golden-output/timeout/scenario.yaml',
      'test/golden-output/crashed-prerequisite/scenario.yaml',
      '--reporter',
      'junit,json',
      '--output-dir',
      out,
    ])
    expect(run.code).toBe(1)
    // Each scenario says how it went; the run as a whole too; and where the files are.
    expect(run.stdout).toMatch(/PASSED test\/fixtures\/report\/passes\.yaml: 1 passed/)
    expect(run.stdout).toMatch(/FAILED test\/fixtures\/report\/fails\.yaml: 1 passed, 1 failed, 1 skipped/)
    expect(run.stdout).toMatch(/FAILED 4 scenarios: 1 passed, 3 failed in/)
    expect(run.stdout).toContain(`Written: ${out}/passes.transcript.txt, ${out}/fails.transcript.txt, ${out}/scenario.transcript.txt, ${out}/scenario-2.transcript.txt, ${out}/junit.xml, ${out}/results.json`)
    expect(run.stderr).toContain(`transcript: ${out}/fails.transcript.txt`)

    const xml = expectValidJUnit(out)
    expect(xml.match(/<testsuite /g)).toHaveLength(4)
    expect(xml).toContain('<testsuites name="at-scenario" tests="11" failures="1" errors="2"')
    // An unmet expectation is a failure; a timeout and a crashed prerequisite are errors.
    expect(xml).toMatch(/<testcase name="Set an impossible Wi-Fi mode" classname="test\/fixtures\/report\/fails\.yaml" time="\d+\.\d{3}">\s*<failure type="unexpected-result" message="the device answered `ERROR` while the step waited for `OK`">/)
    expect(xml).toMatch(/<testcase name="Receive 4 bytes" [^>]*>\s*<error type="timeout" message="timed out after 300 ms waiting for `\+WS_DATA:0,4,test`">/)
    expect(xml).toMatch(/<error type="prerequisite-exited" message="prerequisite `Flaky server` exited with code 3 while the scenario ran">[^<]*exit code 3[^<]*fatal: lost the database/)
    expect(xml).toMatch(/<testcase name="Never reached" [^>]*>\s*<skipped message="an earlier step failed"\/>/)
    // Properties: the port, the device, the doc link.
    expect(xml).toContain('<property name="port" value="the built-in ESP-AT simulator"/>')
    expect(xml).toContain('<property name="device" value="at-scenario built-in ESP-AT simulator"/>')
    expect(xml).toContain('<property name="doc" value="https://docs.espressif.com/projects/esp-at/en/latest/esp32/AT_Command_Set/Basic_AT_Commands.html#cmd-at"/>')

    const json = readJson(out)
    expect(json.complete).toBe(true)
    expect(json.status).toBe('failed')
    expect(json.scenarios.map((s) => s.status)).toEqual(['passed', 'failed', 'failed', 'failed'])
    expect(json.scenarios[1]!.steps[1]!.failure).toMatchObject({ reason: 'unexpected-result', errCode: '0x01070000' })
    expect(json.scenarios.map((s) => s.transcript)).toEqual([
      `${out}/passes.transcript.txt`,
      `${out}/fails.transcript.txt`,
      `${out}/scenario.transcript.txt`,
      `${out}/scenario-2.transcript.txt`,
    ])
    for (const s of json.scenarios) {
      const transcript = parseTranscript(readFileSync(s.transcript!, 'utf8'))
      expect(transcript.records.at(-1)!.lines[0]).toMatch(new RegExp(`^end: ${s.status} in `))
    }
  })

  it('--bail stops after the first scenario that does not pass; the rest are reported as not run', async () => {
    const out = outputDir()
    const run = await runCli(['test/fixtures/report/fails.yaml', 'test/fixtures/report/passes.yaml', '--bail', '--reporter', 'junit,json', '--output-dir', out])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('test/fixtures/report/passes.yaml: not run (--bail: an earlier scenario did not pass)')
    expect(run.stdout).not.toContain('Test AT startup')
    expect(run.stdout).toMatch(/FAILED 2 scenarios: 1 failed, 1 not run \(--bail\)/)
    const xml = expectValidJUnit(out)
    expect(xml).toMatch(/<testsuite name="Device answers" tests="1" failures="0" errors="0" skipped="1"/)
    expect(xml).toContain('<skipped message="--bail: an earlier scenario did not pass"/>')
    const json = readJson(out)
    expect(json.status).toBe('failed')
    expect(json.scenarios[1]).toMatchObject({ status: 'not-run', notRun: { reason: 'bail' }, steps: [{ name: 'Test AT startup', status: 'skipped' }] })
    // Without --bail, the second scenario runs.
    const all = await runCli(['test/fixtures/report/fails.yaml', 'test/fixtures/report/passes.yaml', '--output-dir', out])
    expect(all.stdout).toMatch(/✔ Test AT startup/)
  })

  it('a port that cannot be opened is an <error> of its scenario, and the reports are still written', async () => {
    const out = outputDir()
    const run = await runCli(['test/fixtures/report/passes.yaml', '--port', '/dev/ttyNOSUCH0', '--reporter', 'junit,json', '--output-dir', out])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('cannot open /dev/ttyNOSUCH0: no such device')
    const xml = expectValidJUnit(out)
    expect(xml).toMatch(/<testcase name="open \/dev\/ttyNOSUCH0 at 115200 baud" [^>]*>\s*<error type="link-error" message="cannot open \/dev\/ttyNOSUCH0: no such device/)
    const json = readJson(out)
    expect(json.scenarios[0]).toMatchObject({ status: 'not-run', notRun: { reason: 'link-error' } })
  })

  it('without --reporter only transcripts are written, to reports/ unless --output-dir says otherwise', async () => {
    const out = outputDir()
    const run = await runCli(['test/fixtures/report/passes.yaml', '--output-dir', out])
    expect(run.code).toBe(0)
    expect(existsSync(join(out, 'passes.transcript.txt'))).toBe(true)
    expect(existsSync(join(out, 'junit.xml'))).toBe(false)
    expect(existsSync(join(out, 'results.json'))).toBe(false)
  })

  it('an unknown report format is bad input', async () => {
    const run = await runCli(['test/fixtures/report/passes.yaml', '--reporter', 'junit,jsno'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--reporter: unknown report `jsno`; did you mean `json`? (junit, json, html, lava)')
  })
})

describe('a run stopped in the middle of a step', () => {
  const waiting = /❯ Wait for a message that never comes: waiting for `\+WS_DATA:0,5,never` \(\d/

  it('SIGTERM: teardown runs, exit 130, and the transcript and reports are on disk and well-formed', async () => {
    const out = outputDir()
    let streamed = ''
    const run = await runCli(['test/fixtures/report/long-wait.yaml', 'test/fixtures/report/passes.yaml', '--reporter', 'junit,json', '--output-dir', out], {
      onStdout: (soFar, child) => {
        if (streamed || !waiting.test(soFar)) return
        // The transcript is written as the run goes: it is already on disk in the middle of the step.
        streamed = readFileSync(join(out, 'long-wait.transcript.txt'), 'utf8')
        child.kill('SIGTERM')
      },
    })
    expect(streamed).toContain('->  "AT+CWJAP=\\"espressif\\",\\"***\\"\\r\\n"')
    expect(streamed).toContain('==  step 3 "Wait for a message that never comes" (wait; waits up to 120000 ms for `+WS_DATA:0,5,never`)')
    expect(run.code).toBe(130)
    expect(run.stdout).toMatch(/✔ teardown: Teardown after the signal/)
    expect(run.stdout).toContain('test/fixtures/report/passes.yaml: not run (the run was interrupted)')

    const text = readFileSync(join(out, 'long-wait.transcript.txt'), 'utf8')
    const transcript = parseTranscript(text)
    expect(transcript.header[0]).toBe('# at-scenario transcript, format 1')
    const times = transcript.records.map((r) => r.at)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(transcript.records.at(-1)!.lines[0]).toMatch(/^end: interrupted in /)
    expect(text).toContain('==  step 3 errored in')
    expect(text).toContain('==  teardown step 1 passed in')
    // The Wi-Fi password is a secret: masked in the bytes both ways, in every file.
    for (const file of ['long-wait.transcript.txt', 'junit.xml', 'results.json']) expect(readFileSync(join(out, file), 'utf8')).not.toContain('1234567890')

    const xml = expectValidJUnit(out)
    expect(xml).toMatch(/<testcase name="Wait for a message that never comes" [^>]*>\s*<error type="interrupted" message="interrupted \(Ctrl-C or SIGTERM\)">/)
    expect(xml).toMatch(/<testsuite name="Device answers" [^>]*skipped="1"/)
    expect(xml).toContain('<skipped message="the run was interrupted"/>')
    const json = readJson(out)
    expect(json).toMatchObject({ complete: true, status: 'interrupted' })
    expect(json.scenarios.map((s) => s.status)).toEqual(['interrupted', 'interrupted'])
    expect(json.scenarios[1]!.notRun).toEqual({ reason: 'interrupted', message: 'the run was interrupted' })
  })

  it('SIGKILL: nothing can be cleaned up, but the transcript of what happened is on disk', async () => {
    const out = outputDir()
    const run = await runCli(['test/fixtures/report/long-wait.yaml', '--output-dir', out], {
      onStdout: (soFar, child) => {
        if (waiting.test(soFar)) child.kill('SIGKILL')
      },
    })
    expect(run.signal).toBe('SIGKILL')
    const transcript = parseTranscript(readFileSync(join(out, 'long-wait.transcript.txt'), 'utf8'))
    const last = transcript.records.at(-1)!
    expect(`${last.kind} ${last.lines[0]}`).toMatch(/^(==|<-) /)
    expect(transcript.records.some((r) => r.kind === '==' && r.lines[0]!.startsWith('step 3 "Wait for a message that never comes"'))).toBe(true)
    expect(transcript.records.some((r) => r.lines[0]!.startsWith('end:'))).toBe(false)
  })
})

junit.declareXsdTest()
