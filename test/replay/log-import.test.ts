import { describe, expect, it } from 'vitest'
import type { RecordEntry } from '../../src/replay/atrec-format.ts'
import { importLog } from '../../src/replay/log-import.ts'

/** The imported data as `->`/`<-` lines, C-escaped where it matters for the framing. */
function wire(entries: RecordEntry[]): string[] {
  return entries
    .filter((e) => e.kind === 'data')
    .map((e) => `${e.dir === 'tx' ? '->' : '<-'} ${e.segments.map((s) => ('bytes' in s ? s.bytes.toString('utf8') : '')).join('').replace(/\r/g, '\\r').replace(/\n/g, '\\n')}`)
}

describe('importLog', () => {
  it('without markers: AT lines are the host\'s, other lines the device\'s, framed as the firmware frames them', () => {
    const log = importLog(['ready', 'AT+CWMODE?', '+CWMODE:1', '', 'OK', 'AT+GMR', 'AT version:2.1.0.0(ded5b14 - Jul 24 2020 12:01:05)', '', 'OK'].join('\n'))
    expect(wire(log.entries)).toEqual([
      '<- \\r\\nready\\r\\n',
      '-> AT+CWMODE?\\r\\n',
      '<- +CWMODE:1\\r\\n',
      '<- \\r\\nOK\\r\\n',
      '-> AT+GMR\\r\\n',
      // `AT version:` is a line of the answer, not a command.
      '<- AT version:2.1.0.0(ded5b14 - Jul 24 2020 12:01:05)\\r\\n',
      '<- \\r\\nOK\\r\\n',
    ])
    expect(log).toMatchObject({ commands: 2, deviceLines: 5, timed: false })
    expect(log.confirm).toEqual(['lines 2, 6: commands shown once are taken as written by the host, with no echo from the device (as after ATE0); a runner does not depend on the echo'])
  })

  it('a command shown twice is the command and its echo, and the import says so', () => {
    const log = importLog('AT\nAT\n\nOK\nAT\nOK\n')
    expect(wire(log.entries)).toEqual(['-> AT\\r\\n', '<- AT\\r\\n', '<- \\r\\nOK\\r\\n', '-> AT\\r\\n', '<- \\r\\nOK\\r\\n'])
    expect(log.confirm).toEqual(['line 2: `AT` repeats line 1: taken as the device\'s echo of it', 'line 5: a command shown once is taken as written by the host, with no echo from the device (as after ATE0); a runner does not depend on the echo'])
  })

  it('reads direction markers: ->/<-, >/<, [TX]/[RX], and the serial tools\' 发→◇/收←◆', () => {
    for (const [host, device] of [
      ['-> ', '<- '],
      ['--> ', '<-- '],
      ['> ', '< '],
      ['[TX] ', '[RX] '],
      ['TX: ', 'RX: '],
      ['发→◇', '收←◆'],
    ]) {
      const log = importLog([`${host}AT+CWMODE=1`, `${device}AT+CWMODE=1`, `${device}`, `${device}OK`].join('\n'))
      expect(wire(log.entries), host).toEqual(['-> AT+CWMODE=1\\r\\n', '<- AT+CWMODE=1\\r\\n', '<- \\r\\nOK\\r\\n'])
      expect(log.confirm, host).toEqual([])
    }
  })

  it('a marked host command with no echo is certain: nothing to confirm', () => {
    const log = importLog('[TX] ATE0\n[RX] OK\n[TX] AT\n[RX] OK\n')
    expect(wire(log.entries)).toEqual(['-> ATE0\\r\\n', '<- \\r\\nOK\\r\\n', '-> AT\\r\\n', '<- \\r\\nOK\\r\\n'])
    expect(log.confirm).toEqual([])
  })

  it('a device-marked AT line that echoes nothing is kept as the device\'s, and listed', () => {
    const log = importLog('<- AT+RST\n<- OK\n')
    expect(wire(log.entries)).toEqual(['<- AT+RST\\r\\n', '<- \\r\\nOK\\r\\n'])
    expect(log.confirm).toEqual(['line 1: `AT+RST` is marked as the device\'s but echoes no command before it: kept as device output'])
  })

  it('the prompt: an OK and a `>` are its 9 bytes, the line after it is payload without CR LF', () => {
    const log = importLog(['AT+WSSEND=0,4', '', 'OK', '', '>', 'test', '', 'SEND OK', '+WS_DATA:0,4,test'].join('\n'))
    expect(wire(log.entries)).toEqual(['-> AT+WSSEND=0,4\\r\\n', '<- \\r\\nOK\\r\\n\\r\\n>', '-> test', '<- \\r\\nSEND OK\\r\\n', '<- +WS_DATA:0,4,test\\r\\n'])
    expect(log.confirm).toContain('line 6: `test` after the `>` prompt: taken as 4 payload bytes, without CR LF')
    expect(importLog('AT+CIPSEND=4\n>\n').confirm).toContain('line 2: `>` with no `OK` before it: taken as the whole prompt `\\r\\nOK\\r\\n\\r\\n>`')
  })

  it('prints the few info lines that have no CR LF of their own without one (reference §2.4)', () => {
    const log = importLog('AT+CIPSNTPTIME?\n+CIPSNTPTIME:Thu Jan  1 00:02:08 1970\nOK\n')
    expect(wire(log.entries)).toEqual(['-> AT+CIPSNTPTIME?\\r\\n', '<- +CIPSNTPTIME:Thu Jan  1 00:02:08 1970', '<- \\r\\nOK\\r\\n'])
  })

  it('takes time stamps off and uses them for the timing; other tool prefixes too', () => {
    const log = importLog(['[2023-07-08 15:40:32.908] AT+GMR', '[2023-07-08 15:40:32.923] AT version:2.4.0.0', '[2023-07-08 15:40:33.065] OK'].join('\n'))
    expect(log.timed).toBe(true)
    expect(log.entries.filter((e) => e.kind === 'data').map((e) => e.at)).toEqual([0, 15, 157])
    const arduino = importLog('15:23:49.265 -> AT+CIPSNTPTIME?\n15:23:49.299 -> OK\n')
    expect(wire(arduino.entries)).toEqual(['-> AT+CIPSNTPTIME?\\r\\n', '<- \\r\\nOK\\r\\n'])
    expect(arduino.confirm[0]).toBe("line 1: `HH:MM:SS.mmm -> ` read as the Arduino serial monitor's time stamp, not as a direction")
    // Past midnight the time goes on.
    expect(importLog('[23:59:59.900] AT\n[00:00:00.100] OK\n').entries.filter((e) => e.kind === 'data').map((e) => e.at)).toEqual([0, 200])
  })

  it('leaves out code fences, # comments and label lines such as `回复：`, listing the labels', () => {
    const log = importLog(['# from an issue', '```', 'AT', '回复：', 'OK', 'Response:', 'AT', 'OK', '```'].join('\n'))
    expect(wire(log.entries)).toEqual(['-> AT\\r\\n', '<- \\r\\nOK\\r\\n', '-> AT\\r\\n', '<- \\r\\nOK\\r\\n'])
    expect(log.confirm).toContain('line 4: `回复：` read as a label, not as data, and left out')
    expect(log.confirm).toContain('line 6: `Response:` read as a label, not as data, and left out')
  })

  it('puts a marker with the log line before each host write, for deviation messages', () => {
    const log = importLog('\nAT+CWMODE=1\nOK\n')
    expect(log.entries[0]).toEqual({ kind: 'marker', at: 0, text: 'log line 2 "AT+CWMODE=1"' })
  })
})
