import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { formatEntry, formatHeader } from '../../src/replay/atrec-format.ts'
import { runCli } from '../helpers/cli.ts'
import { parseTranscript } from '../report/checks.ts'

/**
 * What real devices send, that the runner once mishandled (issue 13, §2 and §3): each repro is the
 * device's bytes as a recording, replayed through `--port replay:` under a scenario that expects
 * what the doc says, and must pass. The bytes come from posted logs and the firmware's formats.
 */

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** A host write, then what the device answered (with ATE1's echo where the firmware echoes). */
type Turn = { host: string; device: string[] }

function recording(turns: Turn[]): string {
  let at = 0
  let text = formatHeader({ target: 'a repro of device output', port: 'replay' })
  text += formatEntry({ kind: 'data', dir: 'rx', at: (at += 1), segments: [{ bytes: Buffer.from('\r\nready\r\n', 'latin1') }] })
  for (const t of turns) {
    text += formatEntry({ kind: 'data', dir: 'tx', at: (at += 1), segments: [{ bytes: Buffer.from(t.host, 'latin1') }] })
    for (const d of t.device) text += formatEntry({ kind: 'data', dir: 'rx', at: (at += 1), segments: [{ bytes: Buffer.from(d, 'latin1') }] })
  }
  return text
}

async function replay(scenario: string, turns: Turn[], extra: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-repro-'))
  dirs.push(dir)
  writeFileSync(join(dir, 'repro.yaml'), scenario)
  writeFileSync(join(dir, 'repro.atrec'), recording(turns))
  const run = await runCli([join(dir, 'repro.yaml'), '--port', `replay:${join(dir, 'repro.atrec')}`, '--replay-speed', '0', '--output-dir', dir, '--reporter', 'json', ...extra])
  const transcript = readFileSync(join(dir, 'repro.transcript.txt'), 'utf8')
  return { run, transcript, results: JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { scenarios: { steps: { status: string; lines: { text: string }[] }[] }[] } }
}

describe('what real devices send (issue 13 §3), replayed', () => {
  it('busy p... ends nothing when the expectations go on: the device answers after it', async () => {
    const { run } = await replay(
      `name: busy, then the answer
steps:
  - send: AT+CIPRECVDATA=0,4
    expect: [busy p..., '/^\\+CIPRECVDATA:/', OK]
`,
      [{ host: 'AT+CIPRECVDATA=0,4\r\n', device: ['AT+CIPRECVDATA=0,4\r\n', 'ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n', '+CIPRECVDATA:4,abcd\r\n\r\nOK\r\n'] }],
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
  })

  it('the late result of the previous command, then this one\'s: ERROR named with OK after it', async () => {
    const { run } = await replay(
      `name: late ERROR
steps:
  - send: AT
    expect: ["+CWJAP:4", ERROR, OK]
`,
      [{ host: 'AT\r\n', device: ['+CWJAP:4\r\n\r\nERROR\r\n', 'AT\r\n\r\nOK\r\n'] }],
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
  })

  it('polling with AT while a join runs: busy p... to each, until the join ends', async () => {
    const { run, transcript } = await replay(
      `name: poll until the join ends
steps:
  - name: Join, without waiting
    send: AT+CWJAP="espressif","1234567890"
    expect: []
  - name: Poll with AT until the CWJAP result
    send: AT
    expect: [WIFI GOT IP, OK]
    poll: { every: 50ms }
    timeout: 5s
`,
      [
        { host: 'AT+CWJAP="espressif","1234567890"\r\n', device: ['AT+CWJAP="espressif","1234567890"\r\n'] },
        { host: 'AT\r\n', device: ['\r\nbusy p...\r\n'] },
        { host: 'AT\r\n', device: ['\r\nbusy p...\r\n'] },
        { host: 'AT\r\n', device: ['WIFI CONNECTED\r\n', 'WIFI GOT IP\r\n', '\r\nOK\r\n'] },
      ],
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    // Three writes of AT: the step wrote it again while only busy p... came.
    const records = parseTranscript(transcript).records
    const from = records.findIndex((r) => r.kind === '==' && r.lines[0]!.startsWith('step 2 "Poll with AT'))
    const to = records.findIndex((r, i) => i > from && r.kind === '==' && r.lines[0]!.startsWith('step 2 passed'))
    expect(from).toBeGreaterThan(0)
    expect(records.slice(from, to).filter((r) => r.kind === '->' && r.lines[0] === '"AT\\r\\n"')).toHaveLength(3)
  })

  it('old firmware: ERR CODE with no ERROR after it, named last, ends the step', async () => {
    const { run } = await replay(
      `name: ERR CODE alone
steps:
  - send: AT+UNKNOWN
    expect: "ERR CODE:0x01010000"
    timeout: 2s
`,
      [{ host: 'AT+UNKNOWN\r\n', device: ['AT+UNKNOWN\r\n', 'ERR CODE:0x01010000\r\n'] }],
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
  })

  it('OK with a trailing space is OK, and the transcript says so', async () => {
    const { run, transcript } = await replay(
      `name: trailing space
steps:
  - send: AT
`,
      [{ host: 'AT\r\n', device: ['AT\r\n\r\nOK \r\n'] }],
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(transcript).toContain('==  note: the device sent "OK " with trailing space; taken as `OK`')
  })

  it('a > inside +CIPRECVDATA data is data, not the prompt', async () => {
    const { run } = await replay(
      `name: prompt byte in data
steps:
  - send: AT+CIPRECVDATA=0,5
    expect: [{ data: "a\\r\\n>b", kind: recv }, OK]
`,
      [{ host: 'AT+CIPRECVDATA=0,5\r\n', device: ['AT+CIPRECVDATA=0,5\r\n', '+CIPRECVDATA:5,a\r\n>b\r\nOK\r\n'] }],
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
  })

  it('0,CLOSED in the middle of another command\'s response stays for the wait that names it', async () => {
    const { run } = await replay(
      `name: socket message inside a response
steps:
  - send: AT+CIPRECVLEN?
    expect: ['/^\\+CIPRECVLEN:/', OK]
  - wait: 0,CLOSED
    timeout: 1s
`,
      [{ host: 'AT+CIPRECVLEN?\r\n', device: ['AT+CIPRECVLEN?\r\n', '+CIPRECVLEN:4,0,0,0,0\r\n0,CLOSED\r\n\r\nOK\r\n'] }],
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
  })

  it('absent: a forbidden line fails the step, naming it', async () => {
    const { run } = await replay(
      `name: absent
steps:
  - send: AT+CIPSEND=0,4
    expect: [OK, ">"]
    absent: ['/^0,CLOSED/']
`,
      [{ host: 'AT+CIPSEND=0,4\r\n', device: ['AT+CIPSEND=0,4\r\n', '0,CLOSED\r\n\r\nOK\r\n\r\n>'] }],
    )
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('the device sent `0,CLOSED`, which `absent` forbids (`/^0,CLOSED/`)')
  })

  it('a binary +IPD with CR LF and NUL inside: read by its length, exact and escaped in the transcript', async () => {
    const { run, transcript } = await replay(
      `name: binary +IPD
steps:
  - send: AT
  - wait: { data: { hex: "00 0d 0a 41 ff 0d 0a" }, kind: ipd, link: 1 }
  - wait: "+IPD,0,2:ok"
`,
      [{ host: 'AT\r\n', device: ['AT\r\n\r\nOK\r\n', '\r\n+IPD,1,7:\x00\r\nA\xff\r\n\r\n+IPD,0,2:ok'] }],
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const records = parseTranscript(transcript).records
    const ipd = records.find((r) => r.kind === '<-' && r.lines.some((l) => l.includes('+IPD,1,7:')))!
    expect(ipd.lines.filter((l) => l.startsWith('"'))).toEqual(['"\\r\\n"', '"+IPD,1,7:\\x00\\r\\n"', '"A\\xff\\r\\n"', '"\\r\\n"', '"+IPD,0,2:ok"'])
    // The hex view holds the same bytes, exactly.
    const hex = ipd.lines.filter((l) => /^[0-9a-f]{8} {2}/.test(l)).map((l) => l.slice(10, 58).trim().split(/\s+/).join('')).join('')
    expect(Buffer.from(hex, 'hex')).toEqual(Buffer.from('\r\n+IPD,1,7:\x00\r\nA\xff\r\n\r\n+IPD,0,2:ok', 'latin1'))
  })
})
