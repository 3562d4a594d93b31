import { quotePieces } from '../bytes/quote.ts'
import type { EngineEvent, EngineListener } from '../engine/events.ts'
import type { StepResult, TranscriptLine } from '../engine/result.ts'

/** One step of the timeline: its result (lines included, as `step:end` had it) and its bytes as the transcript quotes them. */
export interface TimelineStep {
  result: StepResult
  /** What crossed during the step, quoted as in the transcript (`"AT\r\n"`), secrets as `***`. */
  bytes: { at: number; dir: 'tx' | 'rx'; text: string }[]
  /** Bytes pieces left out of `bytes` (past the per-step cap). */
  bytesCut: number
}

/** What the HTML report draws a scenario's serial timeline from: bounded, whatever the run's length. */
export interface Timeline {
  steps: TimelineStep[]
  /** Steps that ran but are not in `steps` (a long run keeps its first, its last and its failed ones). */
  omitted: number
  /** The caps, for the page to say what it shows. */
  limits: { first: number; last: number; failed: number; linesPerStep: number; bytesPerStep: number }
}

export interface TimelineLimits {
  /** The first steps kept. Default 250. */
  first?: number
  /** The last steps kept. Default 250. */
  last?: number
  /** Steps that did not pass, kept wherever they are. Default 100. */
  failed?: number
  /** Lines per step. Default 100 (the engine keeps at most 200). */
  linesPerStep?: number
  /** Quoted pieces of bytes per step. Default 200. */
  bytesPerStep?: number
}

/** A piece of quoted bytes longer than this is cut in the page (the transcript has it whole). */
const PIECE_SHOWN = 300

/**
 * Listens to a scenario's run like the transcript does and keeps what its timeline shows: the
 * steps with their lines and bytes, at most the first 250, the last 250 and 100 that did not pass,
 * so that a 100,000-step soak does not make a page of gigabytes. Everything it gets is masked.
 */
export class TimelineCollector {
  readonly listener: EngineListener
  private readonly limits: Required<TimelineLimits>
  private readonly first: TimelineStep[] = []
  private last: TimelineStep[] = []
  private readonly failed: TimelineStep[] = []
  private omitted = 0
  private current: { bytes: TimelineStep['bytes']; cut: number } | undefined

  constructor(limits: TimelineLimits = {}) {
    this.limits = { first: 250, last: 250, failed: 100, linesPerStep: 100, bytesPerStep: 200, ...limits }
    this.listener = (event) => this.on(event)
  }

  timeline(): Timeline {
    const last = this.last.slice(-this.limits.last)
    const steps = [...this.first, ...this.failed, ...last].sort((a, b) => order(a.result) - order(b.result))
    return { steps, omitted: this.omitted + this.last.length - last.length, limits: { ...this.limits } }
  }

  private on(event: EngineEvent): void {
    switch (event.type) {
      case 'step:start':
        this.current = { bytes: [], cut: 0 }
        break
      case 'io': {
        const current = this.current
        if (!current) break
        for (const piece of quotePieces(event.segments, 'masked')) {
          if (current.bytes.length >= this.limits.bytesPerStep) current.cut++
          else current.bytes.push({ at: event.at, dir: event.dir, text: piece.length > PIECE_SHOWN ? `${piece.slice(0, PIECE_SHOWN)}… (${piece.length - PIECE_SHOWN} more characters)` : piece })
        }
        break
      }
      case 'step:end':
        this.keep(event.result)
        this.current = undefined
        break
      default:
        break
    }
  }

  private keep(result: StepResult): void {
    const lines: TranscriptLine[] = result.lines ?? []
    const step: TimelineStep = {
      result: { ...result, lines: lines.slice(0, this.limits.linesPerStep) },
      bytes: this.current?.bytes ?? [],
      bytesCut: this.current?.cut ?? 0,
    }
    if (result.status === 'skipped') return
    if (this.first.length < this.limits.first) {
      this.first.push(step)
      return
    }
    const bad = result.status === 'failed' || result.status === 'errored'
    if (bad && this.failed.length < this.limits.failed) {
      this.failed.push(step)
      return
    }
    this.last.push(step)
    // Trimmed in batches: a ring buffer's bookkeeping per step is not worth it.
    if (this.last.length >= 2 * this.limits.last) {
      this.omitted += this.last.length - this.limits.last
      this.last = this.last.slice(-this.limits.last)
    }
  }
}

/** Steps, then teardown, each in order: where a step goes in the page. */
function order(r: StepResult): number {
  return (r.phase === 'teardown' ? 1e9 : 0) + r.index
}
