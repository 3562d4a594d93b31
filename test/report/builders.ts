import { IoMasker } from '../../src/bytes/io-masker.ts'
import { secretsIn } from '../../src/bytes/secret-scan.ts'
import type { NamedSecret } from '../../src/bytes/secret-scan.ts'
import type { Span } from '../../src/diagnostics/diagnostic.ts'
import type { EngineEvent } from '../../src/engine/events.ts'
import type { PrerequisiteResult, RunResult, StepResult } from '../../src/engine/result.ts'
import type { StreamSink } from '../../src/files/stream-file.ts'

/** Small, complete results for reporter tests: override only what a test is about. */
export function span(line: number, file = 'scenarios/demo.yaml'): Span {
  return { file, start: { line, col: 5 }, end: { line, col: 20 } }
}

export function step(overrides: Partial<StepResult> = {}): StepResult {
  return {
    phase: 'steps',
    index: 0,
    kind: 'send',
    name: 'Set Wi-Fi mode to station',
    span: span(4),
    status: 'passed',
    optional: false,
    sent: 'AT+CWMODE=1',
    expected: ['OK'],
    matched: 1,
    startedAt: 10,
    durationMs: 3.25,
    attempts: 1,
    lines: [
      { at: 10.5, dir: 'tx', kind: 'command', text: 'AT+CWMODE=1' },
      { at: 12, dir: 'rx', kind: 'echo', text: 'AT+CWMODE=1' },
      { at: 13, dir: 'rx', kind: 'final-success', text: 'OK' },
    ],
    captures: {},
    ...overrides,
  }
}

export function prerequisite(overrides: Partial<PrerequisiteResult> = {}): PrerequisiteResult {
  return {
    index: 0,
    name: 'Echo server',
    command: ['python3', 'servers/ws-server.py'],
    status: 'ready',
    pid: 4242,
    readyMs: 120,
    outputTail: ['Server started'],
    span: span(8),
    ...overrides,
  }
}

export function runResult(overrides: Partial<RunResult> = {}): RunResult {
  return {
    scenario: { name: 'Demo', file: 'scenarios/demo.yaml', doc: 'https://docs.example/at#demo' },
    target: 'the built-in ESP-AT simulator',
    status: 'passed',
    startedAt: '2026-01-02T03:04:05.678Z',
    durationMs: 250.5,
    prerequisites: [],
    steps: [step()],
    teardown: [],
    ...overrides,
  }
}

/** The scenario file the spans point into, for code frames. */
export const DEMO_SOURCE = [
  'name: Demo',
  'doc: https://docs.example/at#demo',
  'steps:',
  '  - name: Set Wi-Fi mode to station',
  '    send: AT+CWMODE=1',
  '  - name: Set an impossible mode',
  '    send: AT+CWMODE=9',
  '  - name: Echo server',
].join('\n')

export const sources = (file: string) => (file === 'scenarios/demo.yaml' ? DEMO_SOURCE : undefined)

/** A transcript sink in memory: what was written, how often it was checkpointed, whether closed. */
export class MemorySink implements StreamSink {
  text = ''
  checkpoints = 0
  closed = false
  write(text: string): void {
    this.text += text
  }
  checkpoint(): void {
    this.checkpoints++
  }
  async close(): Promise<void> {
    this.closed = true
  }
}

/** An `io` event as a test writes it: raw text, and for a write, the secrets templated into it. */
export interface RawIo {
  type: 'raw'
  dir: 'tx' | 'rx'
  at: number
  text: string
  /** For `tx`: secrets the engine templated into these bytes (found by value here, for brevity). */
  templated?: NamedSecret[]
}

export const rawIo = (dir: 'tx' | 'rx', at: number, text: string, templated?: NamedSecret[]): RawIo => ({ type: 'raw', dir, at, text, ...(templated ? { templated } : {}) })

/**
 * Events as the engine emits them: raw bytes go through the engine's masker (with the run's
 * secrets), and whatever it holds goes out before the next other event, as in run-scenario.
 */
export function maskedEvents(secrets: NamedSecret[], events: (EngineEvent | RawIo)[]): EngineEvent[] {
  const out: EngineEvent[] = []
  const masker = new IoMasker(secrets, (io) => out.push({ type: 'io', ...io }))
  for (const e of events) {
    if (e.type !== 'raw') {
      masker.flush()
      out.push(e)
      continue
    }
    const bytes = Buffer.from(e.text, 'latin1')
    if (e.dir === 'tx') masker.tx(bytes, e.at, e.templated ? secretsIn(e.text, e.templated) : [])
    else masker.rx(bytes, e.at)
  }
  masker.flush()
  return out
}
