import { logLineMarker } from './atrec-format.ts'
import type { RecordEntry } from './atrec-format.ts'

/**
 * A serial log as people paste it into issues, turned into recorded bytes: which lines the host
 * wrote and which the device printed, with the CR LF framing the firmware puts around them
 * (reference §2.4), so that a replay gives the runner the same byte stream a board would.
 */
export interface ImportedLog {
  entries: RecordEntry[]
  /** What the reader should check, `line N: ...`, in log order. */
  confirm: string[]
  commands: number
  deviceLines: number
  /** Whether the times come from the log's time stamps (else 1 ms apart). */
  timed: boolean
}

type Dir = 'host' | 'device'

interface LogLine {
  no: number
  text: string
  /** From a direction marker (`->`, `[RX]`, `收←◆`...), when the log has one. */
  dir?: Dir
  /** ms since midnight, from a time stamp prefix. */
  time?: number
  /** The exact bytes, when the log shows them as a Python bytes literal (`发送数据 b'AT\\r\\n'`). */
  bytes?: Buffer
}

/** Time stamps tools put before each line: `[2023-07-08 15:40:32.908]`, `[13:58:58.183]`, `15:23:49.265 -> ` (Arduino). */
const BRACKETED_TIME = /^\[(?:\d{4}-\d{2}-\d{2}[ T])?(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?\]\s*/
const BARE_TIME = /^(?:\d{4}-\d{2}-\d{2}[ T])?(\d{1,2}):(\d{2}):(\d{2})[.,](\d{1,6})(\s+->\s?|\s+)/
/** A receive time stamp of a serial tool (`接收:35:06.111961`, minutes and seconds; or with hours): the device's lines follow. */
const RECEIVE_STAMP = /^(?:接收|收到|Recv(?:eived)?|RX)\s*[:：]\s*(?:(\d{1,2}):)?(\d{1,2}):(\d{2})[.,](\d{1,6})\s*/i
/** A Python bytes literal of what a tool wrote or read: `发送数据 b'AT\\r\\n'`, `send b"..."`, `接收数据 b'OK\\r\\n'`. */
const BYTES_LITERAL = /^(?:(发送(?:数据)?|send(?:ing)?|sent|tx|write)|(接收(?:数据)?|收到|recv|received|rx|read))?\s*[:：]?\s*b(['"])(.*)\3\s*$/i
/** A note pointed at a line: `OK    <------ here it hangs`, `<== note`, `← note`. */
const NOTE_ARROW = /\s+(?:<-{2,}|<={2,}|←+)\s*\S.*$|\s+(?:<-{2,}|<={2,})\s*$/
/** A line that says output was left out. */
const ELISION = /^(?:\.{3,}|…+|\[\.{3}\]|\(\.{3}\))$/
const HOST_MARK = /^(?:--?>|>>|\[TX\]|TX:|SEND:|SENT:|发→◇|发送[:：→])\s*/i
const DEVICE_MARK = /^(?:<--?|<<|\[RX\]|RX:|RECV:|收←◆|接收[:：←])\s*/i
/** `> AT+GMR` is a marked host line; a `>` alone is the device's prompt. */
const ANGLE_HOST = /^>\s+(\S.*)$/
const ANGLE_DEVICE = /^<\s+(\S.*)$/
/** A line that only labels what follows (`回复：`, `Response:`): not data. */
const LABEL = /^[^\s:：+"]{1,20}[:：]$/
/** `AT`, `ATE0`, `AT+CWMODE=1`, `at+gmr`; not `AT version:...` (a line of AT+GMR's answer). */
const COMMAND = /^AT(?:$|[+&^]|[A-Z0-9])/i
/** Lines the firmware prints with a CR LF before them (§2.4); everything else ends with CR LF only. */
const RESULT = /^(?:OK|ERROR|SEND OK|SEND FAIL|ready|busy p\.\.\.|Will force to restart!!!|SEND Canceled|Recv \d+ bytes)$/
const FINAL = /^(?:OK|ERROR|SEND OK|SEND FAIL)$/
/** Information lines printed without their own CR LF: the `\r\n` of the `\r\nOK\r\n` after them ends them (§2.4). */
const NO_CRLF_INFO = /^\+(?:CIPSNTPTIME|SYSMSG|SYSRAM|SYSTIMESTAMP|SYSTEMP):/
const PROMPT = '\r\nOK\r\n\r\n>'
const DAY_MS = 24 * 3600 * 1000

/** Reads a pasted log; never fails: what it had to guess is in `confirm`. */
export function importLog(text: string): ImportedLog {
  const confirm: string[] = []
  const lines = readLines(text, confirm)
  const timed = lines.some((l) => l.time !== undefined)
  const entries: RecordEntry[] = []
  const once: number[] = []
  let clock = 0
  let firstTime: number | undefined
  let lastTime = 0
  /** The last command and whether anything came from the device since (an echo comes first). */
  let lastCommand: { text: string; no: number; echoed: boolean; finished: boolean } | undefined
  let promptOpen = false
  let commands = 0
  let deviceLines = 0

  /** A record's time: the log's time stamp, else 1 ms after the record before (a marker shares its record's time). */
  const at = (line: LogLine, marker = false): number => {
    if (!timed) return marker ? clock : clock++
    if (line.time !== undefined) {
      firstTime ??= line.time
      let t = line.time - firstTime
      while (t < lastTime - DAY_MS / 2) t += DAY_MS // past midnight
      lastTime = t
    }
    return lastTime
  }
  const device = (line: LogLine, bytes: string | Buffer) => {
    deviceLines++
    entries.push({ kind: 'data', dir: 'rx', at: at(line), segments: [{ bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes }] })
  }

  lines.forEach((line, i) => {
    const t = line.text
    // The echo may come after other output (a URC printed first): until the command's final result
    // a line equal to it is its echo, not a new command.
    const isEcho = lastCommand && !lastCommand.echoed && !lastCommand.finished && t === lastCommand.text && line.dir !== 'host'
    if (line.bytes) {
      if (line.dir === 'device') {
        if (isEcho) lastCommand!.echoed = true
        if (lastCommand && FINAL.test(t.trimEnd())) lastCommand.finished = true
        if (t.trimEnd().endsWith('>')) promptOpen = true
        device(line, line.bytes)
        return
      }
      entries.push({ kind: 'marker', at: at(line, true), text: logLineMarker(line.no, t) })
      const command = !promptOpen && /\r\n$/.test(line.bytes.toString('latin1')) && !/[\r\n]/.test(t)
      if (command) {
        commands++
        lastCommand = { text: t, no: line.no, echoed: false, finished: false }
      } else lastCommand = undefined
      promptOpen = false
      entries.push({ kind: 'data', dir: 'tx', at: at(line), segments: [{ bytes: line.bytes }] })
      return
    }
    if (isEcho) {
      lastCommand!.echoed = true
      if (!line.dir) confirm.push(`line ${line.no}: \`${t}\` repeats line ${lastCommand!.no}: taken as the device's echo of it`)
      const shownOnce = once.indexOf(lastCommand!.no)
      if (shownOnce >= 0) once.splice(shownOnce, 1)
      device(line, `${t}\r\n`)
      return
    }
    if (t.trimEnd() === '>' && line.dir !== 'host') {
      // The prompt's OK is usually on the line before: the two are the firmware's 9 bytes.
      const previous = entries[entries.length - 1]
      const previousOk = previous?.kind === 'data' && previous.dir === 'rx' && 'bytes' in previous.segments[0]! && previous.segments[0].bytes.toString() === '\r\nOK\r\n'
      if (previousOk) previous.segments = [{ bytes: Buffer.from(PROMPT) }]
      else {
        confirm.push(`line ${line.no}: \`>\` with no \`OK\` before it: taken as the whole prompt \`\\r\\nOK\\r\\n\\r\\n>\``)
        device(line, PROMPT)
      }
      promptOpen = true
      return
    }
    const hostLine = line.dir === 'host' || (line.dir === undefined && (COMMAND.test(t) || (promptOpen && !RESULT.test(t))))
    if (!hostLine) {
      if (line.dir === 'device' && COMMAND.test(t)) confirm.push(`line ${line.no}: \`${t}\` is marked as the device's but echoes no command before it: kept as device output`)
      const next = lines[i + 1]
      const result = t.trimEnd()
      if (RESULT.test(result)) device(line, `\r\n${t}\r\n`)
      else if (NO_CRLF_INFO.test(t) && next && FINAL.test(next.text.trimEnd())) device(line, t)
      else device(line, `${t}\r\n`)
      if (FINAL.test(result)) {
        promptOpen = false
        if (lastCommand) lastCommand.finished = true
      }
      return
    }
    entries.push({ kind: 'marker', at: at(line, true), text: logLineMarker(line.no, t) })
    if (promptOpen && !COMMAND.test(t)) {
      // After `>` the device takes raw bytes: what the log shows is the payload, with nothing appended.
      confirm.push(`line ${line.no}: \`${t}\` after the \`>\` prompt: taken as ${Buffer.byteLength(t)} payload bytes, without CR LF`)
      entries.push({ kind: 'data', dir: 'tx', at: at(line), segments: [{ bytes: Buffer.from(t, 'utf8') }] })
      promptOpen = false
      lastCommand = undefined
      return
    }
    commands++
    promptOpen = false
    // Only an unmarked line could have been the device's echo rather than the host's command.
    if (!line.dir) once.push(line.no)
    lastCommand = { text: t, no: line.no, echoed: false, finished: false }
    entries.push({ kind: 'data', dir: 'tx', at: at(line), segments: [{ bytes: Buffer.from(`${t}\r\n`, 'utf8') }] })
  })
  if (once.length > 0) {
    confirm.push(
      `${once.length === 1 ? 'line' : 'lines'} ${once.join(', ')}: ${once.length === 1 ? 'a command shown once is' : 'commands shown once are'} taken as written by the host, with no echo from the device (as after ATE0); a runner does not depend on the echo`,
    )
  }
  return { entries, confirm: sortByLine(confirm), commands, deviceLines, timed }
}

/** The log's data lines with time stamps and direction markers taken off; fences, comments and labels left out. */
function readLines(text: string, confirm: string[]): LogLine[] {
  const out: LogLine[] = []
  const labels = new Map<string, number[]>()
  /** The time of a receive stamp on a line of its own: the lines after it were received then. */
  let pendingTime: number | undefined
  let arduinoNoted = false
  /** After a receive stamp line (`接收:35:06.111961`), unmarked lines are the device's until the host writes again. */
  let receiving = false
  text.split(/\r?\n/).forEach((raw, i) => {
    const no = i + 1
    // Trailing spaces stay: they are bytes the device sent (`OK ` is not `OK` on the wire).
    let rest = raw.replace(/\r$/, '')
    if (/^\s*(?:```|#)/.test(rest) || rest.trim() === '') return
    rest = rest.trimStart()
    const note = NOTE_ARROW.exec(rest)
    if (note) {
      confirm.push(`line ${no}: \`${note[0].trim()}\` read as a note about the line, not as data, and left out`)
      rest = rest.slice(0, note.index)
    }
    if (ELISION.test(rest.trim())) {
      confirm.push(`line ${no}: \`${rest.trim()}\` read as output left out of the log: neither the recording nor the scenario has it`)
      return
    }
    const line: LogLine = { no, text: '' }
    const received = RECEIVE_STAMP.exec(rest)
    if (received) {
      line.time = ((Number(received[1] ?? 0) * 60 + Number(received[2])) * 60 + Number(received[3])) * 1000 + Number(`0.${received[4]}`) * 1000
      rest = rest.slice(received[0].length)
      receiving = true
      if (rest.trim() === '') {
        pendingTime = line.time
        return
      }
      line.dir = 'device'
    }
    const literal = BYTES_LITERAL.exec(rest.trim())
    if (literal) {
      const bytes = pythonBytes(literal[4]!, literal[3]!)
      if (bytes) {
        line.dir = literal[2] ? 'device' : 'host'
        receiving = line.dir === 'device'
        line.bytes = bytes
        line.text = bytes.toString('utf8').replace(/\r?\n$/, '')
        if (pendingTime !== undefined && line.time === undefined) line.time = pendingTime
        pendingTime = undefined
        out.push(line)
        return
      }
      confirm.push(`line ${no}: \`${rest.trim()}\` looks like a Python bytes literal but is not one: read as text`)
    }
    const stamp = BRACKETED_TIME.exec(rest) ?? BARE_TIME.exec(rest)
    if (stamp) {
      line.time = ((Number(stamp[1]) * 60 + Number(stamp[2])) * 60 + Number(stamp[3])) * 1000 + Number(`0.${stamp[4] ?? '0'}`) * 1000
      if (stamp[5]?.includes('->') && !arduinoNoted) {
        confirm.push(`line ${no}: \`HH:MM:SS.mmm -> \` read as the Arduino serial monitor's time stamp, not as a direction`)
        arduinoNoted = true
      }
      rest = rest.slice(stamp[0].length)
    }
    const angleHost = ANGLE_HOST.exec(rest)
    const angleDevice = ANGLE_DEVICE.exec(rest)
    const host = HOST_MARK.exec(rest)
    const device = DEVICE_MARK.exec(rest)
    if (line.dir) {
      // A receive stamp said whose line this is.
    } else if (host) [line.dir, rest] = ['host', rest.slice(host[0].length)]
    else if (device) [line.dir, rest] = ['device', rest.slice(device[0].length)]
    else if (angleHost) [line.dir, rest] = ['host', angleHost[1]!]
    else if (angleDevice) [line.dir, rest] = ['device', angleDevice[1]!]
    if (line.dir === 'host') receiving = false
    rest = rest.trimStart()
    // An empty line of the device, marked (`<` alone): the CR LF around a result.
    if (rest.trim() === '' || (rest.trim() === '<' && !line.dir)) return
    if (LABEL.test(rest.trim()) && !COMMAND.test(rest)) {
      labels.set(rest.trim(), [...(labels.get(rest.trim()) ?? []), no])
      return
    }
    if (!line.dir && receiving) line.dir = 'device'
    if (line.time === undefined && pendingTime !== undefined) line.time = pendingTime
    pendingTime = undefined
    line.text = line.dir === 'device' ? rest : rest.trimEnd()
    out.push(line)
  })
  for (const [label, nos] of labels) confirm.push(`${nos.length === 1 ? 'line' : 'lines'} ${nos.join(', ')}: \`${label}\` read as a label, not as data, and left out`)
  return out
}

/** The bytes of a Python bytes literal's body (`AT\\r\\n`, `\\x00`, `\\'`); undefined if it is not one. */
function pythonBytes(body: string, quote: string): Buffer | undefined {
  const out: number[] = []
  const SIMPLE: Record<string, number> = { n: 10, r: 13, t: 9, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 }
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c === quote) return undefined
    if (c.charCodeAt(0) > 0x7e) return undefined
    if (c !== '\\') {
      out.push(c.charCodeAt(0))
      continue
    }
    const e = body[++i]
    if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) {
      out.push(parseInt(body.slice(i + 1, i + 3), 16))
      i += 2
    } else if (e !== undefined && SIMPLE[e] !== undefined) out.push(SIMPLE[e])
    else return undefined
  }
  return Buffer.from(out)
}

function sortByLine(notes: string[]): string[] {
  const lineOf = (n: string) => Number(/^lines? (\d+)/.exec(n)?.[1] ?? 0)
  return notes.map((n, i) => ({ n, i })).sort((a, b) => lineOf(a.n) - lineOf(b.n) || a.i - b.i).map((x) => x.n)
}
