import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatEntry, formatHeader, stepMarker } from '../../src/replay/atrec-format.ts'
import type { RecordEntry } from '../../src/replay/atrec-format.ts'
import { parseRecording } from '../../src/replay/atrec-reader.ts'
import { describeDeviation } from '../../src/replay/deviation-message.ts'
import { HostScript } from '../../src/replay/host-script.ts'
import type { Deviation } from '../../src/replay/host-script.ts'

const b = (s: string) => ({ bytes: Buffer.from(s, 'latin1') })

/** The doc's TCP example, as a recording: a secret in the join command and its echo. */
function recording() {
  const entries: RecordEntry[] = [
    { kind: 'data', dir: 'rx', at: 2, segments: [b('\r\nready\r\n')] },
    { kind: 'marker', at: 10, text: stepMarker({ phase: 'steps', index: 0, name: 'Set Wi-Fi mode' }) },
    { kind: 'data', dir: 'tx', at: 11, segments: [b('AT+CWMODE=1\r\n')] },
    { kind: 'data', dir: 'rx', at: 12, segments: [b('AT+CWMODE=1\r\n\r\nOK\r\n')] },
    { kind: 'marker', at: 20, text: stepMarker({ phase: 'steps', index: 1, name: 'Join' }) },
    { kind: 'data', dir: 'tx', at: 21, segments: [b('AT+CWJAP="espressif","'), { secret: 'password' }, b('"\r\n')] },
    { kind: 'data', dir: 'rx', at: 22, segments: [b('AT+CWJAP="espressif","'), { secret: 'password' }, b('"\r\n')] },
    { kind: 'data', dir: 'rx', at: 170, segments: [b('WIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n')] },
    { kind: 'marker', at: 180, text: stepMarker({ phase: 'steps', index: 2, name: 'Send' }) },
    { kind: 'data', dir: 'tx', at: 181, segments: [b('AT+WSSEND=0,4\r\n')] },
    { kind: 'data', dir: 'rx', at: 182, segments: [b('AT+WSSEND=0,4\r\n\r\nOK\r\n\r\n>')] },
    { kind: 'data', dir: 'tx', at: 183, segments: [b('test')] },
    { kind: 'data', dir: 'rx', at: 184, segments: [b('\r\nSEND OK\r\n')] },
  ]
  return parseRecording(formatHeader({}) + entries.map(formatEntry).join(''))
}

const HOST = 'AT+CWMODE=1\r\nAT+CWJAP="espressif","1234567890"\r\nAT+WSSEND=0,4\r\ntest'

function deviationOf(script: HostScript, ...writes: string[]): Deviation {
  for (const w of writes) {
    const outcome = script.write(Buffer.from(w, 'latin1'))
    if (!outcome.ok) return outcome.deviation
  }
  throw new Error('no deviation')
}

describe('HostScript', () => {
  it('follows the host through the recording and says which recorded writes it completed', () => {
    const r = recording()
    const script = new HostScript(r.data)
    expect(script.hasWrittenBefore(0)).toBe(true) // the boot banner needs no write
    expect(script.hasWrittenBefore(2)).toBe(false)
    const first = script.write(Buffer.from('AT+CWMODE=1\r\n'))
    expect(first).toEqual({ ok: true, completed: [1] })
    expect(script.hasWrittenBefore(2)).toBe(true)
    expect(script.hasWrittenBefore(4)).toBe(false)
  })

  it('compares the byte stream, not the chunks: any chunking of the recorded host bytes matches', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const script = new HostScript(recording().data)
        const completed: number[] = []
        for (let at = 0, k = 0; at < HOST.length; k++) {
          const n = sizes[k % sizes.length]!
          const outcome = script.write(Buffer.from(HOST.slice(at, at + n), 'latin1'))
          expect(outcome.ok).toBe(true)
          if (outcome.ok) completed.push(...outcome.completed)
          at += n
        }
        expect(completed).toEqual([1, 3, 6, 8])
        expect(script.hasWrittenBefore(9)).toBe(true)
      }),
    )
  })

  it('lets a secret be any value, and echoes what the host wrote for it', () => {
    for (const password of ['1234567890', 'x', 'a much longer password, with a comma']) {
      const script = new HostScript(recording().data)
      expect(script.write(Buffer.from(`AT+CWMODE=1\r\nAT+CWJAP="espressif","${password}"\r\n`)).ok).toBe(true)
      expect(script.secretValue('password')?.toString()).toBe(password)
      expect(script.hasWrittenBefore(6)).toBe(true)
    }
  })

  it('a secret split across writes ends where the recorded bytes after it begin', () => {
    const script = new HostScript(recording().data)
    script.write(Buffer.from('AT+CWMODE=1\r\nAT+CWJAP="espressif","12345'))
    expect(script.hasWrittenBefore(4)).toBe(false)
    expect(script.write(Buffer.from('67890"\r\n'))).toEqual({ ok: true, completed: [3] })
    expect(script.secretValue('password')?.toString()).toBe('1234567890')
  })

  it('reports a different byte with its offset in the host stream, the record and step, and both sides', () => {
    const d = deviationOf(new HostScript(recording().data), 'AT+CWMODE=3\r\n')
    expect(d.why).toBe('different')
    expect(d.hostOffset).toBe(10)
    expect(d.entry?.place).toBe('step 1 "Set Wi-Fi mode"')
    expect(d.written.toString()).toBe('3\r\n')
    const message = describeDeviation(d, { file: 'run.atrec', mask: (x) => x, mismatches: [] })
    expect(message).toBe(
      `replay of run.atrec: the host deviated from the recording at offset 10 of its bytes (run.atrec:${d.entry!.line}, step 1 "Set Wi-Fi mode"): after "AT+CWMODE=" the recording has "1\\r\\n", the host wrote "3\\r\\n"`,
    )
  })

  it('finds a deviation in a later chunk, after a secret, with the secret masked on both sides', () => {
    const d = deviationOf(new HostScript(recording().data), 'AT+CWMODE=1\r\n', 'AT+CWJAP="espressif","hunter2"\r\n', 'AT+WSSEND=0,5\r\n')
    expect(d.hostOffset).toBe(13 + 32 + 12)
    expect(d.entry?.place).toBe('step 3 "Send"')
    const message = describeDeviation(d, { file: 'run.atrec', mask: (x) => x, mismatches: [{ name: 'len', recorded: '4', current: '5' }] })
    expect(message).toContain('after "AT+WSSEND=0," the recording has "4\\r\\n", the host wrote "5\\r\\n"')
    expect(message).toContain('; variable `len` is "5" in this run but "4" in the recording (replay with --var len=4)')
  })

  it('masks this run\'s secrets in what the host wrote', () => {
    const d = deviationOf(new HostScript(recording().data), 'AT+CWMODE=1\r\n', 'AT+CWJAP="lab","hunter2"\r\n')
    const message = describeDeviation(d, { file: 'run.atrec', mask: (x) => Buffer.from(x.toString().replaceAll('hunter2', '***')), mismatches: [] })
    expect(message).toContain('after "AT+CWJAP=\\"" the recording has "espressif\\",\\"***\\"\\r\\n", the host wrote "lab\\",\\"***\\"\\r\\n"')
    expect(message).not.toContain('hunter2')
  })

  it('a line that ends inside a secret deviates without showing the secret', () => {
    const d = deviationOf(new HostScript(recording().data), 'AT+CWMODE=1\r\n', 'AT+CWJAP="espressif","hunter2",1\r\n')
    expect(d.why).toBe('secret-unterminated')
    const message = describeDeviation(d, { file: 'run.atrec', mask: (x) => x, mismatches: [] })
    expect(message).toContain('the recording has a secret followed by "\\"\\r\\n", but the host\'s line ended first')
    expect(message).not.toContain('hunter2')
  })

  it('writing past the end of the recording is a deviation too', () => {
    const d = deviationOf(new HostScript(recording().data), `${HOST}AT\r\n`)
    expect(d.why).toBe('beyond-end')
    expect(d.hostOffset).toBe(HOST.length)
    expect(describeDeviation(d, { file: 'run.atrec', mask: (x) => x, mismatches: [] })).toContain('the recording ends there, the host wrote "AT\\r\\n"')
  })
})
