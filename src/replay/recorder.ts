import type { EngineEvent, EngineListener } from '../engine/events.ts'
import type { StreamSink } from '../files/stream-file.ts'
import { formatEntry, formatHeader, stepMarker } from './atrec-format.ts'
import type { Direction, RecordingHeader } from './atrec-format.ts'
import type { Segment } from '../bytes/segments.ts'
import { normalizeSegments } from '../bytes/segments.ts'
import type { RunVariables } from './run-variables.ts'

/** What the run's events do not say: the port as given and its settings, and the run's variables. */
export interface RecordingSetup {
  port: Pick<RecordingHeader, 'port' | 'baud' | 'dataBits' | 'parity' | 'stopBits' | 'flow' | 'simulatorVars'>
  variables: RunVariables
}

/**
 * Writes a run as a .atrec recording, from the engine's events, so it works on any link: every
 * byte both ways with its time, the steps as markers, the scenario, the port and the variables.
 * Secrets never reach the file: the engine's `io` events name them (`\{name}` in the file) instead of
 * carrying their bytes, and variables holding one are left out. Written as the run goes, like the transcript.
 */
export class Recorder {
  readonly listener: EngineListener
  private readonly sink: StreamSink
  private readonly setup: RecordingSetup
  private readonly clock: () => number
  private start = 0
  private last = 0
  private closing: Promise<void> | undefined

  constructor(sink: StreamSink, setup: RecordingSetup, clock: () => number = () => performance.now()) {
    this.sink = sink
    this.setup = setup
    this.clock = clock
    this.listener = (event) => this.on(event)
  }

  /** Writes what is still held back and closes the file; safe to call more than once. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = this.sink.close()
    }
    return this.closing
  }

  private on(event: EngineEvent): void {
    if (this.closing) return
    switch (event.type) {
      case 'run:start': {
        this.start = this.clock()
        const secrets = this.setup.variables.secrets
        const header: RecordingHeader = {
          scenario: event.scenario.name,
          file: event.scenario.file,
          ...(event.scenario.doc ? { doc: event.scenario.doc } : {}),
          target: event.target,
          ...this.setup.port,
          recorded: new Date().toISOString(),
          ...(secrets.length > 0 ? { secrets: [...new Set(secrets.map((s) => s.name))] } : {}),
        }
        this.sink.write(formatHeader(header, this.setup.variables.plain))
        break
      }
      case 'step:start':
        this.marker(stepMarker(event))
        break
      case 'io':
        this.data(event.dir, event.at, normalizeSegments(event.segments))
        break
      case 'step:end':
        this.marker(`${stepMarker(event.result)} ${event.result.status}`)
        this.sink.checkpoint()
        break
      case 'teardown:start':
        this.marker('teardown')
        break
      case 'run:end':
        this.marker(`end: ${event.result.status}`)
        void this.close()
        break
      default:
        break
    }
  }

  private data(dir: Direction, at: number, segments: Segment[]): void {
    if (segments.length === 0) return
    this.last = Math.max(this.last, at)
    this.sink.write(formatEntry({ kind: 'data', dir, at: this.last, segments }))
  }

  private marker(text: string): void {
    // Markers use this clock; `io` times come from the engine's, which started a moment earlier.
    this.last = Math.max(this.last, this.clock() - this.start)
    this.sink.write(formatEntry({ kind: 'marker', at: this.last, text }))
  }
}
