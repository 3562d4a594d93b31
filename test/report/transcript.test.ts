import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { EngineEvent } from '../../src/engine/events.ts'
import { StreamFile } from '../../src/files/stream-file.ts'
import { Transcript } from '../../src/report/transcript.ts'
import { parseTranscript } from './checks.ts'
import { maskedEvents, MemorySink, rawIo, runResult, span, step } from './builders.ts'
import type { RawIo } from './builders.ts'

const PASSWORD = { name: 'password', value: '1234567890' }

function runStart(): EngineEvent {
  return {
    type: 'run:start',
    scenario: { name: 'Demo', file: 'scenarios/demo.yaml' },
    target: 'the built-in ESP-AT simulator',
    prerequisites: [],
    steps: [{ phase: 'steps', index: 0, name: 'Join', span: span(4) }],
  }
}

/** Feeds the transcript the events as the engine emits them (its masker in between). */
function feed(t: Transcript, events: (EngineEvent | RawIo)[], secrets = [PASSWORD]): void {
  for (const e of maskedEvents(secrets, events)) t.listener(e)
}

const stepStart: EngineEvent = { type: 'step:start', phase: 'steps', index: 0, name: 'Join', kind: 'send', expected: ['WIFI CONNECTED', 'OK'], waitMs: 20_000 }

describe('Transcript', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-01-02T03:04:05.000Z'))
  })
  afterEach(() => vi.useRealTimers())

  it('writes every chunk with its time and direction, markers for the run, masked secrets, hex for binary data', async () => {
    const sink = new MemorySink()
    let now = 100
    const t = new Transcript(sink, () => now)
    t.listener(runStart())
    now = 101.5
    t.listener(stepStart)
    feed(t, [
      rawIo('tx', 2, 'AT+CWJAP="lab","1234567890"\r\n', [PASSWORD]),
      // The device echoes the password back split across two reads.
      rawIo('rx', 3.25, 'AT+CWJAP="lab","12345'),
      rawIo('rx', 4, '67890"\r\nWIFI CONNECTED\r\n\r\nOK\r\n'),
      rawIo('rx', 5, '+WS_DATA:0,3,\x00\x01\xff\r\n'),
    ])
    now = 106
    t.listener({ type: 'step:end', result: step({ name: 'Join', durationMs: 4 }) })
    t.listener({ type: 'run:end', result: runResult({ durationMs: 6.2 }) })
    await t.close()

    expect(sink.text).toBe(
      [
        '# at-scenario transcript, format 1',
        '# scenario: Demo',
        '# file: scenarios/demo.yaml',
        '# target: the built-in ESP-AT simulator',
        '# started: 2026-01-02T03:04:05.000Z',
        '# time: ms since the run started; -> host to device, <- device to host, == what the runner did',
        '# data: double-quoted with C escapes (\\r \\n \\t \\\\ \\" \\xNN), a piece per line received; data that is',
        '#       not plain text is followed by a hex view; secrets show as ***; a write or read of more than',
        '#       64 KiB is one line: its length, SHA-256 (of the bytes as shown) and first and last bytes',
        '     1.500  ==  step 1 "Join" (send; waits up to 20000 ms for `WIFI CONNECTED`, `OK`)',
        '     2.000  ->  "AT+CWJAP=\\"lab\\",\\"***\\"\\r\\n"',
        '     3.250  <-  "AT+CWJAP=\\"lab\\",\\""',
        '     4.000  <-  "***\\"\\r\\n"',
        '                "WIFI CONNECTED\\r\\n"',
        '                "\\r\\n"',
        '                "OK\\r\\n"',
        '     5.000  <-  "+WS_DATA:0,3,\\x00\\x01\\xff\\r\\n"',
        '                00000000  2b 57 53 5f 44 41 54 41  3a 30 2c 33 2c 00 01 ff  |+WS_DATA:0,3,...|',
        '                00000010  0d 0a                                             |..|',
        '     6.000  ==  step 1 passed in 4 ms',
        '     6.000  ==  end: passed in 6 ms',
        '',
      ].join('\n'),
    )
    expect(sink.checkpoints).toBe(1)
    expect(sink.closed).toBe(true)
    expect(() => parseTranscript(sink.text)).not.toThrow()
  })

  it('a step that ends while a possible secret is held back writes those bytes before its end marker', () => {
    const sink = new MemorySink()
    const t = new Transcript(sink, () => 0)
    t.listener(runStart())
    feed(
      t,
      [stepStart, rawIo('rx', 1, 'ERROR\r\nsec'), { type: 'step:end', result: step({ status: 'failed', failure: { reason: 'unexpected-result', message: 'the device answered `ERROR`', errCode: '0x01090000' } }) }],
      [{ name: 'token', value: 'secret' }],
    )
    const records = parseTranscript(sink.text).records
    expect(records.map((r) => `${r.kind} ${r.lines.join(' | ')}`)).toEqual([
      '== step 1 "Join" (send; waits up to 20000 ms for `WIFI CONNECTED`, `OK`)',
      '<- "ERROR\\r\\n"',
      '<- "sec"',
      '== step 1 failed in 3 ms: the device answered `ERROR` | error code: 0x01090000',
    ])
  })

  it('records prerequisites, retries, teardown and skipped steps as markers', () => {
    const sink = new MemorySink()
    const t = new Transcript(sink, () => 0)
    t.listener(runStart())
    t.listener({ type: 'prerequisite:start', index: 0, name: 'Echo server', command: ['python3', 'ws-server.py'] })
    t.listener({ type: 'prerequisite:end', result: { index: 0, name: 'Echo server', command: [], status: 'failed', message: 'exited with code 1', exitCode: 1, outputTail: ['Traceback', 'ImportError'], span: span(8) } })
    t.listener({ type: 'step:retry', phase: 'steps', index: 0, attempt: 2, failure: { reason: 'timeout', message: 'timed out' } })
    t.listener({ type: 'step:end', result: step({ status: 'skipped', name: 'Never reached', index: 1 }) })
    t.listener({ type: 'teardown:start' })
    const markers = parseTranscript(sink.text).records.map((r) => r.lines.join(' | '))
    expect(markers).toEqual([
      'prerequisite "Echo server": starting `python3 ws-server.py`',
      'prerequisite "Echo server" did not start: exited with code 1 | | Traceback | | ImportError',
      'step 1: attempt 1 failed (timed out); attempt 2',
      'step 2 "Never reached" skipped',
      'teardown',
    ])
  })

  it('a write or read over 64 KiB is one line: length, SHA-256 and first and last bytes, in bounded text whatever its bytes', () => {
    const sink = new MemorySink()
    const t = new Transcript(sink, () => 0)
    t.listener(runStart())
    const payload = Buffer.alloc(4 * 1024 * 1024, 0xff)
    payload.write('head', 0, 'latin1')
    payload.write('tail', payload.length - 4, 'latin1')
    t.listener({ type: 'io', dir: 'tx', at: 1, segments: [{ bytes: payload }] })
    const small = Buffer.alloc(64 * 1024, 0x01)
    t.listener({ type: 'io', dir: 'rx', at: 2, segments: [{ bytes: small }] })
    const records = parseTranscript(sink.text).records
    const sha = createHash('sha256').update(payload).digest('hex')
    expect(records[0]!.lines).toEqual([`4194304 bytes, sha256 ${sha}: "head${'\\xff'.repeat(28)}" … "${'\\xff'.repeat(28)}tail"`])
    // Exactly at the threshold: shown in full, with its hex view.
    expect(records[1]!.lines.length).toBe(1 + 64 * 1024 / 16)
    expect(sink.text.length).toBeLessThan(1024 * 1024)
  })

  it('stops writing traffic at its limit, with a marker there and the bytes left out counted at the end; step markers go on', () => {
    const sink = new MemorySink()
    const t = new Transcript(sink, () => 0, { limitBytes: 4096 })
    t.listener(runStart())
    t.listener(stepStart)
    for (let i = 0; i < 100; i++) t.listener({ type: 'io', dir: 'rx', at: i, segments: [{ bytes: Buffer.from(`garbage line ${i} \x1b[2K\r\n`, 'latin1') }] })
    t.listener({ type: 'step:end', result: step({ name: 'Join', durationMs: 4 }) })
    t.listener({ type: 'run:end', result: runResult({ durationMs: 6.2 }) })
    expect(t.cut).toMatchObject({ limitBytes: 4096 })
    const records = parseTranscript(sink.text).records
    const markers = records.filter((r) => r.kind === '==').map((r) => r.lines[0])
    expect(markers.slice(1)).toEqual([
      'transcript limit reached (4096 bytes, --transcript-limit): the traffic from here on is left out; steps are still marked',
      'step 1 passed in 4 ms',
      `${t.cut!.omittedBytes} bytes of traffic after the limit are not in this transcript`,
      'end: passed in 6 ms',
    ])
    const kept = records.filter((r) => r.kind === '<-').length
    const perLine = Buffer.byteLength('garbage line 10 \x1b[2K\r\n')
    expect(t.cut!.omittedBytes).toBeGreaterThanOrEqual((100 - kept) * (perLine - 1))
    expect(Buffer.byteLength(sink.text)).toBeLessThan(4096 + 1024)
  })

  it('StreamFile: what is written is in the file at once, and nothing is written after close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'at-scenario-transcript-'))
    try {
      const file = new StreamFile(join(dir, 't.txt'))
      file.write('first\n')
      // Not buffered in the process: a kill now would leave this line.
      expect(readFileSync(join(dir, 't.txt'), 'utf8')).toBe('first\n')
      file.checkpoint()
      await file.close()
      file.write('late\n')
      expect(readFileSync(join(dir, 't.txt'), 'utf8')).toBe('first\n')
      expect(file.error).toBeUndefined()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
