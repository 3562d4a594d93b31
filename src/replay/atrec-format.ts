import { quotePieces } from '../bytes/quote.ts'
import type { Segment } from '../bytes/segments.ts'

/**
 * The .atrec format, version 1 (docs/atrec-format.md): a version line, `key: <JSON value>` header
 * lines, then one record per line: the time in ms, a direction (`->` host to device, `<-` device to
 * host, `==` a marker) and the quoted bytes, continued on indented lines after each LF.
 */
export const ATREC_VERSION = 1
export const VERSION_LINE = `atrec ${ATREC_VERSION}`

/** What a recording says about where it came from. Every key is optional: an imported log has few. */
export interface RecordingHeader {
  /** The scenario's name and file (relative to where the run started), for a recorded run. */
  scenario?: string
  file?: string
  doc?: string
  /** The log an imported recording was made from. */
  source?: string
  /** The device as the run described it ("the built-in ESP-AT simulator", "/dev/ttyUSB0 at 115200 baud"). */
  target?: string
  /** The port as given: `simulator`, a device path, tcp://, rfc2217://, replay:. */
  port?: string
  baud?: number
  dataBits?: number
  parity?: string
  stopBits?: number
  flow?: string
  /** The run used the scenario's `simulator.vars` (it ran on the simulator): a replay uses them too. */
  simulatorVars?: boolean
  /** ISO time the recording started. */
  recorded?: string
  /** Names of the secrets whose values the recording leaves out. */
  secrets?: string[]
}

/** Header keys in file order, with their spelling in the file. */
export const HEADER_KEYS: readonly [keyof RecordingHeader, string][] = [
  ['scenario', 'scenario'],
  ['file', 'file'],
  ['doc', 'doc'],
  ['source', 'source'],
  ['target', 'target'],
  ['port', 'port'],
  ['baud', 'baud'],
  ['dataBits', 'data-bits'],
  ['parity', 'parity'],
  ['stopBits', 'stop-bits'],
  ['flow', 'flow'],
  ['simulatorVars', 'simulator-vars'],
  ['recorded', 'recorded'],
  ['secrets', 'secrets'],
]

export type Direction = 'tx' | 'rx'

export type RecordEntry =
  /** Bytes one way, as one read or write delivered them; `at` is ms since the run started. */
  | { kind: 'data'; dir: Direction; at: number; segments: Segment[] }
  /** What the run was doing (`step 2 "Connect to the router"`); not replayed, but named in deviations. */
  | { kind: 'marker'; at: number; text: string }

const ARROWS: Record<Direction | 'marker', string> = { tx: '->', rx: '<-', marker: '==' }
const TIME_WIDTH = 10
/** Continuation lines start under the quoted data, past the time and the arrow. */
export const CONTINUATION_INDENT = ' '.repeat(TIME_WIDTH + 6)

export const FORMAT_LEGEND = [
  '# at-scenario recording (docs/atrec-format.md): time in ms, -> host to device, <- device to host,',
  '# == what the run was doing. Bytes are quoted with C escapes; \\{name} is a secret left out.',
]

/** The version line, the legend, any comments, then the header keys and the variables. */
export function formatHeader(header: RecordingHeader, vars: readonly [string, string][] = [], comments: readonly string[] = []): string {
  const lines = [VERSION_LINE, ...FORMAT_LEGEND, ...comments.map((c) => `# ${c}`)]
  for (const [key, spelled] of HEADER_KEYS) {
    const value = header[key]
    if (value !== undefined) lines.push(`${spelled}: ${JSON.stringify(value)}`)
  }
  for (const [name, value] of vars) lines.push(`var ${name}: ${JSON.stringify(value)}`)
  return `${lines.join('\n')}\n\n`
}

export function formatEntry(entry: RecordEntry): string {
  const time = entry.at.toFixed(3).padStart(TIME_WIDTH)
  if (entry.kind === 'marker') return `${time}  ${ARROWS.marker}  ${entry.text.replace(/[\r\n]+/g, ' ')}\n`
  const [first, ...rest] = quotePieces(entry.segments, 'named')
  return [`${time}  ${ARROWS[entry.dir]}  ${first}`, ...rest.map((p) => `${CONTINUATION_INDENT}${p}`)].join('\n') + '\n'
}

/** The marker that opens a step; a replay names it when the host deviates there. */
export function stepMarker(step: { phase: 'steps' | 'teardown'; index: number; name: string }): string {
  return `${step.phase === 'teardown' ? 'teardown step' : 'step'} ${step.index + 1} ${JSON.stringify(step.name)}`
}

/** The marker before the bytes of one line of an imported log. */
export function logLineMarker(line: number, text: string): string {
  return `log line ${line} ${JSON.stringify(text)}`
}

/**
 * Markers that say where the bytes after them belong: a step's or a log line's opening marker, which
 * ends with the quoted name. The others (`step 2 "..." passed`, `teardown`, `end: passed`) are
 * comments with a time.
 */
export const PLACE_MARKER = /^(?:(?:teardown )?step \d+|log line \d+) ".*"$/
