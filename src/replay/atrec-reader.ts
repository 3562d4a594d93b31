import { readLimitedText } from '../source/read-limited.ts'
import { ATREC_VERSION, HEADER_KEYS, PLACE_MARKER } from './atrec-format.ts'
import type { Direction, RecordingHeader } from './atrec-format.ts'
import { QuotedBytesError, unquote } from '../bytes/quote.ts'
import type { Segment } from '../bytes/segments.ts'
import { normalizeSegments } from '../bytes/segments.ts'

/** Bytes one way as recorded, with where they are in the file and in the run. */
export interface RecordedData {
  dir: Direction
  at: number
  segments: Segment[]
  /** 1-based line of the record in the file. */
  line: number
  /** The last place marker before it: `step 2 "Connect to the router"`, `log line 7 "AT+GMR"`. */
  place?: string
}

export interface Recording {
  header: RecordingHeader
  /** The run's variables (`var name: "value"`), secrets left out. */
  vars: Map<string, string>
  data: RecordedData[]
}

/** A recording that cannot be read, with the line that says why. */
export class RecordingFormatError extends Error {
  readonly line: number
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`)
    this.line = line
  }
}

const BODY = /^\s*(\d+(?:\.\d+)?)\s+(->|<-|==)\s+(.*)$/
const CONTINUATION = /^\s+"/
const HEADER = /^(var\s+)?([A-Za-z_][\w.-]*):\s*(.*)$/
const KEY_OF = new Map(HEADER_KEYS.map(([key, spelled]) => [spelled, key]))
const NUMBER_KEYS = new Set<keyof RecordingHeader>(['baud', 'dataBits', 'stopBits'])

/** Reads a .atrec file; throws with the reason when it is not a regular file of bounded size, or not a recording. */
export async function readRecording(path: string): Promise<Recording> {
  const read = readLimitedText(path, 'recording')
  if (!read.ok) throw new Error(read.why)
  return parseRecording(read.text)
}

/** Reads a .atrec text; throws RecordingFormatError at the first line that is not version 1. */
export function parseRecording(text: string): Recording {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const version = /^atrec (\d+)\s*$/.exec(lines[0] ?? '')
  if (!version) throw new RecordingFormatError(1, `not an at-scenario recording: the first line must be \`atrec ${ATREC_VERSION}\``)
  if (Number(version[1]) !== ATREC_VERSION) {
    throw new RecordingFormatError(1, `this recording is format ${version[1]}; this version of at-scenario reads format ${ATREC_VERSION}`)
  }
  const recording: Recording = { header: {}, vars: new Map(), data: [] }
  let inBody = false
  let place: string | undefined
  let last: RecordedData | undefined
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1
    const line = lines[i]!.trimEnd()
    if (line === '' || line.startsWith('#')) continue
    const body = BODY.exec(line)
    if (body) {
      inBody = true
      const at = Number(body[1])
      if (body[2] === '==') {
        last = undefined
        if (PLACE_MARKER.test(body[3]!)) place = body[3]!
        continue
      }
      last = { dir: body[2] === '->' ? 'tx' : 'rx', at, segments: quoted(body[3]!, lineNo), line: lineNo, ...(place ? { place } : {}) }
      recording.data.push(last)
      continue
    }
    if (CONTINUATION.test(line)) {
      if (!last) throw new RecordingFormatError(lineNo, 'a continuation line must follow a `->` or `<-` record')
      last.segments = normalizeSegments([...last.segments, ...quoted(line.trim(), lineNo)])
      continue
    }
    const header = HEADER.exec(line)
    if (header && !inBody) {
      readHeaderLine(recording, header[1] !== undefined, header[2]!, header[3]!, lineNo)
      continue
    }
    throw new RecordingFormatError(lineNo, inBody ? 'expected `<ms>  ->|<-|==  ...` or an indented `"..."` continuation' : 'expected `key: <JSON value>`, `var name: "value"` or a record')
  }
  return recording
}

function quoted(text: string, lineNo: number): Segment[] {
  try {
    return normalizeSegments(unquote(text))
  } catch (e) {
    if (e instanceof QuotedBytesError) throw new RecordingFormatError(lineNo, e.message)
    throw e
  }
}

function readHeaderLine(recording: Recording, isVar: boolean, name: string, raw: string, lineNo: number): void {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    throw new RecordingFormatError(lineNo, `the value of \`${name}\` is not JSON (strings are double-quoted)`)
  }
  if (isVar) {
    if (typeof value !== 'string') throw new RecordingFormatError(lineNo, `variable \`${name}\` must be a string`)
    recording.vars.set(name, value)
    return
  }
  const key = KEY_OF.get(name)
  // Keys this version does not know are skipped: a later version 1 writer may add some.
  if (!key) return
  const ok =
    key === 'secrets'
      ? Array.isArray(value) && value.every((v) => typeof v === 'string')
      : key === 'simulatorVars'
        ? typeof value === 'boolean'
        : NUMBER_KEYS.has(key)
          ? typeof value === 'number'
          : typeof value === 'string'
  if (!ok) throw new RecordingFormatError(lineNo, `\`${name}\` has the wrong type`)
  ;(recording.header as Record<string, unknown>)[key] = value
}
