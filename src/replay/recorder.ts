import type { EngineEvent, EngineListener } from '../engine/events.ts'
import type { TranscriptSink } from '../report/transcript.ts'
import { formatEntry, formatHeader, stepMarker } from './atrec-format.ts'
import type { Direction, RecordingHeader } from './atrec-format.ts'
import type { RunVariables } from './run-variables.ts'
import { SecretSpans } from './secret-spans.ts'
import type { NamedSecret } from './secret-spans.ts'

/** What the run's events do not say: the port as given and its settings, and the run's variables. */
export interface RecordingSetup {
  port: Pick<RecordingHeader, 'port' | 'baud' | 'dataBits' | 'parity' | 'stopBits' | 'flow' | 'simulatorVars'>
  variables: RunVariables
}

/**
 * Writes a run as a .atrec recording, from the engine's events, so it works on any link: every
 * byte both ways with its time, the steps as markers, the scenario, the port and the variables.
 * Secrets never reach the file: their bytes become `\{name}` (also when split across reads), and
 * variables holding one are left out. Written as the run goes, like the transcript.
 */
export class Recorder {
  readonly listener: EngineListener
  private readonly sink: TranscriptSink
  private readonly setup: RecordingSetup
  private readonly clock: () => number
  private start = 0
  private last = 0
  private spans: Record<Direction, SecretSpans> = { tx: new SecretSpans([]), rx: new SecretSpans([]) }
  private closing: Promise<void> | undefined

  constructor(sink: TranscriptSink, setup: RecordingSetup, clock: () => number = () => performance.now()) {
    this.sink = sink
    this.setup = setup
    this.clock = clock
    this.listener = (event) => this.on(event)
  }

  /** Writes what is still held back and closes the file; safe to call more than once. */
  close(): Promise<void> {
    if (!this.closing) {
      this.flush()
      this.closing = this.sink.close()
    }
    return this.closing
  }

  private on(event: EngineEvent): void {
    if (this.closing) return
    switch (event.type) {
      case 'run:start': {
        this.start = this.clock()
        const secrets = namedSecrets(event.secrets, this.setup.variables.secrets)
        this.spans = { tx: new SecretSpans(secrets), rx: new SecretSpans(secrets) }
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
        this.flush()
        this.marker(stepMarker(event))
        break
      case 'io':
        this.data(event.dir, event.at, this.spans[event.dir].push(event.bytes))
        break
      case 'step:end':
        this.flush()
        this.marker(`${stepMarker(event.result)} ${event.result.status}`)
        this.sink.checkpoint()
        break
      case 'teardown:start':
        this.marker('teardown')
        break
      case 'run:end':
        this.flush()
        this.marker(`end: ${event.result.status}`)
        void this.close()
        break
      default:
        break
    }
  }

  private data(dir: Direction, at: number, segments: ReturnType<SecretSpans['push']>): void {
    if (segments.length === 0) return
    this.last = Math.max(this.last, at)
    this.sink.write(formatEntry({ kind: 'data', dir, at: this.last, segments }))
  }

  private marker(text: string): void {
    // Markers use this clock; `io` times come from the engine's, which started a moment earlier.
    this.last = Math.max(this.last, this.clock() - this.start)
    this.sink.write(formatEntry({ kind: 'marker', at: this.last, text }))
  }

  /** Bytes held back for a possible split secret go out before a marker, so the order stays true. */
  private flush(): void {
    for (const dir of ['tx', 'rx'] as const) if (this.spans[dir].pending > 0) this.data(dir, this.clock() - this.start, this.spans[dir].flush())
  }
}

/** The run's secret values (from `run:start`) with the variable names known before the run. */
function namedSecrets(values: readonly string[], known: readonly NamedSecret[]): NamedSecret[] {
  const byValue = new Map(known.map((s) => [s.value, s.name]))
  const used = new Set(known.map((s) => s.name))
  let n = 0
  return values.map((value) => {
    let name = byValue.get(value)
    if (!name) {
      do name = `secret${++n}`
      while (used.has(name))
      used.add(name)
      byValue.set(value, name)
    }
    return { name, value }
  })
}
