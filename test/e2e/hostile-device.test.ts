import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { BIN, ROOT, runCli } from '../helpers/cli.ts'
import type { CliRun } from '../helpers/cli.ts'
import { hostileDevice, terminalControls } from '../helpers/hostile-device.ts'
import type { HostileDevice } from '../helpers/hostile-device.ts'
import { processesMatching } from '../helpers/net.ts'
import { checkResultJson, junitFiles, parseTranscript } from '../report/checks.ts'

const HOSTILE = `${ROOT}test/fixtures/hostile/`
const junit = junitFiles()
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function outputDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-hostile-out-'))
  dirs.push(dir)
  return dir
}

/** The reports of a run: results.json checked against its schema, junit.xml against the project's check. */
function reports(dir: string): { json: { status: string; scenarios: Record<string, unknown>[] }; junit: string } {
  const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { status: string; scenarios: Record<string, unknown>[] }
  const check = checkResultJson(json)
  expect(check.valid, check.errors).toBe(true)
  return { json, junit: junit.check(join(dir, 'junit.xml')) }
}

function everything(run: CliRun): string {
  return `${run.stdout}${run.stderr}`
}

describe('a hostile device over a real pseudo-terminal', () => {
  let device: HostileDevice | undefined
  afterEach(async () => {
    await device?.close()
    device = undefined
  })

  it('terminal escapes in its lines reach no output raw: progress, failure text and summary show them escaped; teardown, reports, no process left', async () => {
    device = await hostileDevice()
    const dir = outputDir()
    const run = await runCli([`${HOSTILE}escapes.yaml`, '--port', device.port, '--reporter', 'junit,json', '--output-dir', dir, '--var', 'marker=hostile-escapes-bystander'])
    expect(run.code).toBe(1)
    // Not one ESC or BEL byte in anything the run printed.
    expect(terminalControls(everything(run))).toEqual([])
    // The captured address (a window-title sequence) in a step name, on the progress line.
    expect(run.stdout).toContain('✔ Ping \\x1b]0;PWNED\\x07 (')
    // The version lines in the failure text: visible, not acted on; the fake PASSED line is not a line of its own.
    expect(run.stderr).toContain('← \\x1b]0;PWNED\\x07AT version:9.9.9')
    expect(run.stderr).toContain('← \\x1b[2K\\rFAKE: PASSED')
    expect(run.stdout).not.toMatch(/^FAKE: PASSED/m)
    expect(run.stdout).toMatch(/^FAILED .*escapes\.yaml: 4 passed, 1 failed/m)
    // Teardown ran, on the device.
    expect(device.received()).toEqual(['AT+CWMODE=1', 'AT+CIFSR', 'AT', 'AT+GMR', 'AT+CWQAP'])
    expect(processesMatching('hostile-escapes-bystander')).toEqual([])
    const { json, junit: xml } = reports(dir)
    expect(json.status).toBe('failed')
    expect(terminalControls(xml)).toEqual([])
    expect(existsSync(join(dir, 'escapes.transcript.txt'))).toBe(true)
  })

  it('on a terminal too (listr2\'s live view, under `script`): the device\'s sequences are shown, never sent to the terminal', async () => {
    device = await hostileDevice()
    const dir = outputDir()
    const command = `stty cols 120 rows 40; ${process.execPath} -- ${BIN} ${HOSTILE}escapes.yaml --port ${device.port} --output-dir ${dir}`
    const out = await new Promise<string>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm' } })
      let text = ''
      child.stdout.on('data', (d: Buffer) => (text += d.toString('latin1')))
      child.on('close', () => resolve(text))
    })
    // listr2 draws with escape sequences of its own; the device's never reach the terminal as such.
    expect(out).toContain('Ping \\x1b]0;PWNED\\x07')
    expect(out).toContain('\\x1b[2K\\rFAKE: PASSED')
    expect(out).not.toContain('\u0007')
    expect(out).not.toContain('\u001b]0;PWNED')
    expect(out).not.toContain('\u001b[2K\rFAKE')
    expect(device.received().at(-1)).toBe('AT+CWQAP')
  })

  it('a --var with CR LF never reaches the device: exit 2 at the reference, naming the variable, not its value', async () => {
    device = await hostileDevice()
    const dir = outputDir()
    const evil = 'x"\r\nAT+RESTORE\r\nAT+CWJAP="espressif'
    for (const scenario of ['scenarios/tcp-echo.yaml', `${HOSTILE}injection.yaml`]) {
      const run = await runCli([scenario, '--port', device.port, '--var', `ssid=${evil}`, '--var', 'host.ip=127.0.0.1', '--output-dir', dir])
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toMatch(/error\[unsafe-value\]: the value of `ssid` \(from --var\) contains a line break \(CR or LF\)/)
      expect(run.stderr).toMatch(/--> .*:\d+:\d+/)
      expect(run.stderr).not.toContain('RESTORE')
      expect(run.stderr).toContain('nothing was run')
    }
    expect(device.received()).toEqual([])
  })

  it('quotes and commas in a --var stay inside their parameter, escaped as the AT command set says; a captured CR errors its step before it is written', async () => {
    device = await hostileDevice()
    const dir = outputDir()
    const run = await runCli([`${HOSTILE}injection.yaml`, '--port', device.port, '--var', 'ssid=x","y\\', '--reporter', 'junit,json', '--output-dir', dir])
    expect(run.code).toBe(1)
    // One AT+CWJAP with one SSID parameter, then the address read, then teardown: nothing else reached the device.
    expect(device.received()).toEqual(['AT+CWJAP="x\\"\\,\\"y\\\\","1234567890"', 'AT+CIPSTA?', 'AT+CWQAP'])
    expect(run.stdout).toMatch(/✖ Ping the address .*: the value of `ip` contains a line break \(CR or LF\): .*nothing was written/)
    // The transcript proves it: the commands the host wrote, and nothing between them.
    const writes = parseTranscript(readFileSync(join(dir, 'injection.transcript.txt'), 'utf8')).records.filter((r) => r.kind === '->')
    expect(writes.map((r) => r.lines.join(''))).toEqual(['"AT+CWJAP=\\"x\\\\\\"\\\\,\\\\\\"y\\\\\\\\\\",\\"***\\"\\r\\n"', '"AT+CIPSTA?\\r\\n"', '"AT+CWQAP\\r\\n"'])
    const { json } = reports(dir)
    const steps = (json.scenarios[0] as { steps: { status: string; failure?: { reason: string } }[] }).steps
    expect(steps.map((s) => [s.status, s.failure?.reason])).toEqual([
      ['passed', undefined],
      ['passed', undefined],
      ['errored', 'unsafe-value'],
    ])
  })

  it('ReDoS bait in a worker: the step times out on time and says why, teardown runs, reports are written', async () => {
    device = await hostileDevice()
    const dir = outputDir()
    const run = await runCli([`${HOSTILE}redos.yaml`, '--port', device.port, '--reporter', 'junit,json', '--output-dir', dir])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('warning[bad-regex]: nested quantifiers in `/(a+)+$/`')
    expect(run.stdout).toMatch(/✖ List access points .*: timed out after 2000 ms waiting for `\/\(a\+\)\+\$\/i` \(the regular expression was still being matched against a line of 31 characters/)
    expect(device.received()).toEqual(['AT+CWLAP', 'AT+CWQAP'])
    expect(reports(dir).json.status).toBe('failed')
  })

  it('ReDoS bait on the linear engine: the line simply does not match, so the OK after it fails the step at once', async () => {
    device = await hostileDevice()
    const dir = outputDir()
    const file = join(dir, 'redos-linear.yaml')
    writeFileSync(file, readFileSync(`${HOSTILE}redos.yaml`, 'utf8').replace("'/(a+)+$/i'", "'/(a+)+$/'"))
    const run = await runCli([file, '--port', device.port, '--output-dir', dir])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/✖ List access points .*: the device answered `OK` while the step waited for `\/\(a\+\)\+\$\/`$/m)
    expect(device.received()).toEqual(['AT+CWLAP', 'AT+CWQAP'])
  })

  it('Ctrl-C while the bait is being matched: the step stops, teardown runs, exit 130', async () => {
    device = await hostileDevice()
    const dir = outputDir()
    const file = join(dir, 'redos-long.yaml')
    writeFileSync(file, readFileSync(`${HOSTILE}redos.yaml`, 'utf8').replace('timeout: 2s', 'timeout: 120s'))
    let sent = false
    const run = await runCli([file, '--port', device.port, '--reporter', 'junit,json', '--output-dir', dir], {
      // Said after a second of waiting: the bait has arrived and the worker is on it.
      onStdout: (out, child) => {
        if (!sent && out.includes('❯ List access points: waiting for')) {
          sent = true
          child.kill('SIGINT')
        }
      },
    })
    expect(sent).toBe(true)
    expect(run.code).toBe(130)
    expect(device.received()).toEqual(['AT+CWLAP', 'AT+CWQAP'])
    expect(reports(dir).json.status).toBe('interrupted')
  })

  it('a garbage flood: no raw escape reaches stderr, the transcript stops at --transcript-limit with a marker, and the reports say so', async () => {
    device = await hostileDevice()
    const dir = outputDir()
    const run = await runCli([`${HOSTILE}flood.yaml`, '--port', device.port, '--reporter', 'junit,json', '--output-dir', dir, '--transcript-limit', '1MiB'])
    expect(run.code).toBe(1)
    expect(terminalControls(everything(run))).toEqual([])
    expect(run.stderr).toContain('error[unexpected-result]: step "Flood" failed: the device answered `OK` while the step waited for `ERROR`')
    const transcript = join(dir, 'flood.transcript.txt')
    // 1 MiB of traffic at most, and a few markers after it: not 8.9 times the flood.
    expect(statSync(transcript).size).toBeLessThan(1024 * 1024 + 4096)
    const records = parseTranscript(readFileSync(transcript, 'utf8')).records
    const markers = records.filter((r) => r.kind === '==').map((r) => r.lines[0]!)
    expect(markers).toContain('transcript limit reached (1048576 bytes, --transcript-limit): the traffic from here on is left out; steps are still marked')
    expect(markers.filter((m) => m.startsWith('teardown step 1 passed'))).toHaveLength(1)
    const { json, junit: xml } = reports(dir)
    const cut = json.scenarios[0]!.transcriptCut as { limitBytes: number; omittedBytes: number }
    expect(cut.limitBytes).toBe(1048576)
    expect(cut.omittedBytes).toBeGreaterThan(6_000_000)
    expect(xml).toContain('name="transcript-cut"')
    expect(device.received()).toEqual(['AT+FLOOD=8000000', 'AT+CWQAP'])
  })

  it('4 MB and 10 MB payloads are sent whole, summarised in the transcript, in bounded memory', async () => {
    device = await hostileDevice()
    const dir = outputDir()
    const blob = randomBytes(4 * 1024 * 1024)
    writeFileSync(join(dir, 'blob.bin'), blob)
    const text = '0123456789abcdef'.repeat(655360)
    const file = join(dir, 'payloads.yaml')
    writeFileSync(
      file,
      `name: Large payloads
steps:
  - send: AT+WSSEND=0,${blob.length}
    expect: [OK, ">"]
  - payload: { file: blob.bin }
    expect: SEND OK
    timeout: 60s
  - send: AT+WSSEND=0,${text.length}
    expect: [OK, ">"]
  - payload: { text: "0123456789abcdef", repeat: 655360 }
    expect: SEND OK
    timeout: 60s
teardown:
  - send: AT+CWQAP
`,
    )
    const run = await runCli([file, '--port', device.port, '--reporter', 'junit,json', '--output-dir', dir], { env: { AT_SCENARIO_REPORT_MAXRSS: '1' } })
    expect(run.stderr).not.toContain('Maximum call stack')
    expect(run.code, run.stderr).toBe(0)
    const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')
    expect(device.received()).toEqual([
      `AT+WSSEND=0,${blob.length}`,
      { payload: blob.length, sha256: sha(blob) },
      `AT+WSSEND=0,${text.length}`,
      { payload: text.length, sha256: sha(text) },
      'AT+CWQAP',
    ])
    const records = parseTranscript(readFileSync(join(dir, 'payloads.transcript.txt'), 'utf8')).records
    const writes = records.filter((r) => r.kind === '->').map((r) => r.lines)
    expect(writes[1]).toEqual([expect.stringMatching(new RegExp(`^4194304 bytes, sha256 ${sha(blob)}: ".*" … ".*"$`))])
    expect(writes[3]).toEqual([`10485760 bytes, sha256 ${sha(text)}: "0123456789abcdef0123456789abcdef" … "0123456789abcdef0123456789abcdef"`])
    expect(statSync(join(dir, 'payloads.transcript.txt')).size).toBeLessThan(64 * 1024)
    const steps = (reports(dir).json.scenarios[0] as { steps: { sent?: string }[] }).steps
    expect(steps[3]!.sent).toBe('10485760 bytes: 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 …')
    // The child's own accounting of its peak memory, printed as it exits.
    const maxRss = Number(/at-scenario: max RSS (\d+) KiB/.exec(run.stderr)?.[1])
    expect(maxRss).toBeGreaterThan(0)
    expect(maxRss).toBeLessThan(200 * 1024)
  })
})
