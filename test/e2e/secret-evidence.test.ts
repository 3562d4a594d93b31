import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import type { CliRun } from '../helpers/cli.ts'
import { freePort } from '../helpers/net.ts'
import { checkResultJson, parseTranscript } from '../report/checks.ts'
import type { TranscriptRecord } from '../report/checks.ts'

/**
 * Issue 12, "mask without rewriting evidence": a 2000-byte payload of "0123456789" repeated while the
 * Wi-Fi password is 1234567890. The payload and its echo are shown as the bytes that crossed, in
 * the order they crossed; the password, where it was templated in, is masked everywhere.
 */
const PASSWORD = '1234567890'
const PAYLOAD = '0123456789'.repeat(200)

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

async function run(file: string, vars: string[] = [], interruptOn?: RegExp): Promise<{ cli: CliRun; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-evidence-'))
  dirs.push(dir)
  const port = await freePort()
  let sent = false
  const cli = await runCli([file, '--var', `port=${port}`, ...vars, '--reporter', 'junit,json,html', '--output-dir', dir], {
    ...(interruptOn
      ? {
          onStdout: (text, child) => {
            if (!sent && interruptOn.test(text)) {
              sent = true
              child.kill('SIGINT')
            }
          },
        }
      : {}),
  })
  return { cli, dir }
}

/** The text of a transcript's data record: its quoted pieces joined, unescaped enough to compare digits. */
const dataText = (r: TranscriptRecord) => r.lines.filter((l) => l.startsWith('"')).map((l) => l.slice(1, -1)).join('')

/**
 * Every place the password's characters appear must lie inside the payload's own digit run (the
 * cycle 0123456789 continued for at least two periods); the password on its own, as in
 * `"1234567890"`, would be a leak.
 */
function leaks(text: string): string[] {
  const found: string[] = []
  for (let at = text.indexOf(PASSWORD); at >= 0; at = text.indexOf(PASSWORD, at + 1)) {
    let start = at
    let end = at + PASSWORD.length
    const cyclic = (i: number, j: number) => /\d/.test(text[i] ?? '') && (Number(text[i]) + 1) % 10 === Number(text[j])
    while (start > 0 && cyclic(start - 1, start)) start--
    while (end < text.length && cyclic(end - 1, end)) end++
    if (end - start < 2 * PASSWORD.length) found.push(text.slice(Math.max(0, at - 30), at + 40))
  }
  return found
}

function outputs(cli: CliRun, dir: string): string {
  return [cli.stdout, cli.stderr, ...readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'))].join('\n')
}

function checkEvidence(dir: string): void {
  const transcriptFile = readdirSync(dir).find((f) => f.endsWith('.transcript.txt'))!
  const records = parseTranscript(readFileSync(join(dir, transcriptFile), 'utf8')).records
  // The payload, as written: its true bytes, in one write, before the SEND OK that answers it.
  const write = records.findIndex((r) => r.kind === '->' && dataText(r) === PAYLOAD)
  expect(write, 'the payload is in the transcript as it was sent').toBeGreaterThan(0)
  const sendOk = records.findIndex((r, i) => i > write && r.kind === '<-' && dataText(r).includes('SEND OK'))
  expect(sendOk).toBeGreaterThan(write)
  expect(records.slice(write + 1, sendOk).filter((r) => r.kind === '->')).toEqual([])
  // The echo: the received data records carry the payload's bytes, unmasked.
  const echoed = records
    .filter((r) => r.kind === '<-')
    .map(dataText)
    .join('')
    .match(/\+WS_DATA:0,\d+,[0-9]+/g)!
    .map((m) => m.replace(/^\+WS_DATA:0,\d+,/, ''))
    .join('')
  expect(echoed).toBe(PAYLOAD)
  // The CWJAP command: masked where the password was templated in.
  expect(records.some((r) => r.kind === '->' && dataText(r) === 'AT+CWJAP=\\"espressif\\",\\"***\\"\\r\\n')).toBe(true)

  const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
    scenarios: { steps: { name: string; status: string; sent?: string; lines?: { text: string }[] }[] }[]
  }
  expect(checkResultJson(json).valid).toBe(true)
  const steps = json.scenarios[0]!.steps
  expect(steps.find((s) => s.name === 'Send the payload')!.sent).toBe('2000 bytes: 30 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 …')
  // A passed step's lines are in the transcript, not in results.json (format 2); the HTML timeline shows them.
  const receive = steps.find((s) => s.name === 'Receive it back')!
  expect(receive.status).toBe('passed')
  expect(receive.lines).toBeUndefined()
  expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain(PAYLOAD.slice(100, 900))
  expect(steps.find((s) => s.name === 'Connect to the router')!.sent).toBe('AT+CWJAP="espressif","***"')
}

describe('secrets are masked where they were templated in, and evidence is left as it was', () => {
  it('a passing run: true payload bytes in order in the transcript and results.json; the password in no output', async () => {
    const { cli, dir } = await run('test/fixtures/secrets/payload-like-password.yaml')
    expect(cli.code, cli.stderr).toBe(0)
    checkEvidence(dir)
    expect(leaks(outputs(cli, dir))).toEqual([])
  })

  it('a failing run: the same, and the failure text shows the command masked', async () => {
    const { cli, dir } = await run('test/fixtures/secrets/payload-like-password.yaml', ['--var', 'last=+NOSUCH'])
    expect(cli.code).toBe(1)
    expect(cli.stderr).toContain('step "The last command" failed')
    checkEvidence(dir)
    expect(leaks(outputs(cli, dir))).toEqual([])
  })

  it('an interrupted run: the same, with teardown run and the reports written', async () => {
    const { cli, dir } = await run('test/fixtures/secrets/payload-like-password-interrupted.yaml', [], /❯ Wait to be interrupted/)
    expect(cli.code).toBe(130)
    expect(cli.stdout).toMatch(/✔ teardown: AT\+WSCLOSE=0/)
    checkEvidence(dir)
    expect(leaks(outputs(cli, dir))).toEqual([])
  })

  it('the leak check itself finds the password shown on its own', () => {
    expect(leaks(`AT+CWJAP="espressif","${PASSWORD}"`)).toHaveLength(1)
    expect(leaks(`+WS_DATA:0,30,${PAYLOAD.slice(0, 30)}`)).toEqual([])
  })
})
