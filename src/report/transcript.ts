import type { EngineEvent, EngineListener } from '../engine/events.ts'
import { hexView, isPlainText, quotePieces, summarizeBytes } from '../bytes/quote.ts'
import type { Segment } from '../bytes/segments.ts'
import { maskedBytes } from '../bytes/segments.ts'
import type { PrerequisiteResult, StepResult } from '../engine/result.ts'
import { formatDuration } from './durations.ts'
import type { StreamSink } from '../files/stream-file.ts'

const ARROWS = { tx: '->', rx: '<-' } as const
/** Width of the time column; continuation lines (more text, hex views, output) are indented past it and the arrow. */
const TIME_WIDTH = 10
const INDENT = ' '.repeat(TIME_WIDTH + 6)

const TRANSCRIPT_LEGEND = [
  '# time: ms since the run started; -> host to device, <- device to host, == what the runner did',
  '# data: double-quoted with C escapes (\\r \\n \\t \\\\ \\" \\xNN), a piece per line received; data that is',
  '#       not plain text is followed by a hex view; secrets show as ***; a write or read of more than',
  '#       64 KiB is one line: its length, SHA-256 (of the bytes as shown) and first and last bytes',
]

/** Writes and reads longer than this are summarised in one line (`summarizeBytes`). */
export const SUMMARY_THRESHOLD = 64 * 1024
/** `--transcript-limit`'s default: what one scenario's transcript may grow to. */
export const DEFAULT_TRANSCRIPT_LIMIT = 64 * 1024 * 1024

export interface TranscriptOptions {
  /**
   * Bytes the transcript may take; past them the traffic is left out (a marker says where, and how
   * much was left out at the end), the markers of steps still come. 0: no limit. Default 64 MiB.
   */
  limitBytes?: number
  /** Writes and reads longer than this are one summary line. Default: 64 KiB. */
  summaryThreshold?: number
}

/** Where a transcript was cut, for the reports. */
export interface TranscriptCut {
  limitBytes: number
  /** Bytes of traffic (both ways) after the cut that the transcript does not hold. */
  omittedBytes: number
}

/**
 * The transcript of one scenario: every byte both ways with its time, direction, escaped text and a
 * hex view where the bytes are not text, with the steps and prerequisites as markers between them.
 * It is written as the events come, so that a run that is killed still leaves what happened so far.
 * The engine's `io` events come masked: a secret is a segment of its own, shown as `***`.
 */
export class Transcript {
  readonly listener: EngineListener
  private readonly sink: StreamSink
  private readonly clock: () => number
  private start = 0
  private last = 0
  private closing: Promise<void> | undefined
  private readonly limitBytes: number
  private readonly summaryThreshold: number
  private written = 0
  private cutAt: TranscriptCut | undefined

  constructor(sink: StreamSink, clock: () => number = () => performance.now(), options: TranscriptOptions = {}) {
    this.sink = sink
    this.clock = clock
    this.limitBytes = options.limitBytes ?? DEFAULT_TRANSCRIPT_LIMIT
    this.summaryThreshold = options.summaryThreshold ?? SUMMARY_THRESHOLD
    this.listener = (event) => this.on(event)
  }

  /** Set once the transcript reached its limit: a garbage flood of 89 MB must not become 800 MB of file. */
  get cut(): TranscriptCut | undefined {
    return this.cutAt
  }

  /** Writes what is still held back and closes the sink; safe to call more than once. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = this.sink.close()
    }
    return this.closing
  }

  private on(event: EngineEvent): void {
    if (this.closing) return
    switch (event.type) {
      case 'run:start':
        this.start = this.clock()
        this.write(
          [
            '# at-scenario transcript, format 1',
            `# scenario: ${event.scenario.name}`,
            `# file: ${event.scenario.file}`,
            ...(event.scenario.doc ? [`# doc: ${event.scenario.doc}`] : []),
            `# target: ${event.target}`,
            `# started: ${new Date().toISOString()}`,
            ...TRANSCRIPT_LEGEND,
            '',
          ].join('\n'),
        )
        break
      case 'prerequisite:start':
        this.marker(`prerequisite "${event.name}": starting \`${event.command.join(' ')}\``)
        break
      case 'prerequisite:end': {
        const p = event.result
        if (p.status === 'ready') this.marker(`prerequisite "${p.name}" ready in ${p.readyMs ?? '?'} ms${p.pid ? ` (pid ${p.pid})` : ''}`)
        else this.marker(`prerequisite "${p.name}" did not start: ${p.message ?? p.status}`, p.outputTail.map((l) => `| ${l}`))
        break
      }
      case 'step:start': {
        const waits = event.kind === 'sleep' ? `sleeps ${event.waitMs} ms` : `waits up to ${event.waitMs} ms${event.expected.length ? ` for ${event.expected.map((e) => `\`${e}\``).join(', ')}` : ''}`
        this.marker(`${stepLabel(event)} "${event.name}" (${event.kind}; ${waits})`)
        break
      }
      case 'io':
        this.data(event.dir, event.at, event.segments)
        break
      case 'step:retry':
        this.marker(`${stepLabel(event)}: attempt ${event.attempt - 1} failed (${event.failure.message}); attempt ${event.attempt}`)
        break
      case 'step:end':
        this.marker(stepEnd(event.result), event.result.failure?.errCode ? [`error code: ${event.result.failure.errCode}`] : [])
        this.sink.checkpoint()
        break
      case 'note':
        this.marker(`note: ${event.text}`)
        break
      case 'teardown:start':
        this.marker('teardown')
        break
      case 'prerequisites:stopped':
        for (const p of event.results) {
          if (p.status !== 'ready') {
            if (p.escaped?.length) this.marker(`prerequisite "${p.name}" left processes behind`, escapedLines(p))
            continue
          }
          const how = p.signal ? `ended by ${p.signal}` : p.exitCode !== undefined ? `exit code ${p.exitCode}` : 'stopped'
          this.marker(`prerequisite "${p.name}" stopped (${how})`, escapedLines(p))
        }
        break
      case 'run:end':
        if (this.cutAt) this.marker(`${this.cutAt.omittedBytes} bytes of traffic after the limit are not in this transcript`)
        this.marker(`end: ${event.result.status} in ${formatDuration(event.result.durationMs)}`)
        void this.close()
        break
    }
  }

  private now(): number {
    // Markers use this clock; `io` times come from the engine's, which started a moment earlier.
    this.last = Math.max(this.last, this.clock() - this.start)
    return this.last
  }

  /** Markers are written past the limit too: there is one per step event, whatever the device sends. */
  private marker(text: string, more: string[] = []): void {
    this.write(`${formatAt(this.now())}  ==  ${text}\n${more.map((l) => `${INDENT}${l}\n`).join('')}`)
  }

  private data(dir: 'tx' | 'rx', at: number, segments: readonly Segment[]): void {
    if (segments.length === 0) return
    const shown = maskedBytes(segments)
    if (this.cutAt) {
      this.cutAt.omittedBytes += shown.length
      return
    }
    this.last = Math.max(this.last, at)
    const head = `${formatAt(at)}  ${ARROWS[dir]}  `
    let text: string
    if (shown.length > this.summaryThreshold) text = `${head}${summarizeBytes(shown)}\n`
    else {
      const lines = quotePieces(segments, 'masked').map((piece, i) => `${i === 0 ? head : INDENT}${piece}`)
      if (!isPlainText(shown)) for (const l of hexView(shown)) lines.push(`${INDENT}${l}`)
      text = `${lines.join('\n')}\n`
    }
    if (this.limitBytes > 0 && this.written + Buffer.byteLength(text) > this.limitBytes) {
      this.cutAt = { limitBytes: this.limitBytes, omittedBytes: shown.length }
      this.marker(`transcript limit reached (${this.limitBytes} bytes, --transcript-limit): the traffic from here on is left out; steps are still marked`)
      return
    }
    this.write(text)
  }

  private write(text: string): void {
    this.written += Buffer.byteLength(text)
    this.sink.write(text)
  }
}

/** The processes a prerequisite had started outside its process group, and how each was stopped. */
function escapedLines(p: PrerequisiteResult): string[] {
  return (p.escaped ?? []).map((e) => `also stopped pid ${e.pid}, started by it outside its process group, by ${e.signal}: ${e.command}`)
}

function formatAt(ms: number): string {
  return ms.toFixed(3).padStart(TIME_WIDTH)
}

function stepLabel(s: { phase: 'steps' | 'teardown'; index: number }): string {
  return `${s.phase === 'teardown' ? 'teardown step' : 'step'} ${s.index + 1}`
}

function stepEnd(r: StepResult): string {
  if (r.status === 'skipped') return `${stepLabel(r)} "${r.name}" skipped`
  const attempts = r.attempts > 1 ? ` after ${r.attempts} attempts` : ''
  const verdict = `${stepLabel(r)} ${r.status}${r.optional && r.status !== 'passed' ? ' (optional)' : ''} in ${formatDuration(r.durationMs)}${attempts}`
  return r.failure && r.status !== 'passed' ? `${verdict}: ${r.failure.message}` : verdict
}
