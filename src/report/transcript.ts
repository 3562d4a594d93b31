import type { EngineEvent, EngineListener } from '../engine/events.ts'
import { hexView, isPlainText, quotePieces } from '../bytes/quote.ts'
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
  '#       not plain text is followed by a hex view; secrets show as ***',
]

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

  constructor(sink: StreamSink, clock: () => number = () => performance.now()) {
    this.sink = sink
    this.clock = clock
    this.listener = (event) => this.on(event)
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
        this.sink.write(
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

  private marker(text: string, more: string[] = []): void {
    this.sink.write(`${formatAt(this.now())}  ==  ${text}\n${more.map((l) => `${INDENT}${l}\n`).join('')}`)
  }

  private data(dir: 'tx' | 'rx', at: number, segments: readonly Segment[]): void {
    if (segments.length === 0) return
    this.last = Math.max(this.last, at)
    const [first, ...rest] = quotePieces(segments, 'masked')
    const lines = [`${formatAt(at)}  ${ARROWS[dir]}  ${first}`, ...rest.map((l) => `${INDENT}${l}`)]
    const shown = maskedBytes(segments)
    if (!isPlainText(shown)) lines.push(...hexView(shown).map((l) => `${INDENT}${l}`))
    this.sink.write(`${lines.join('\n')}\n`)
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
