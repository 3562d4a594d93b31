import type { Span } from '../../src/diagnostics/diagnostic.ts'
import type { PrerequisiteResult, RunResult, StepResult } from '../../src/engine/result.ts'
import type { TranscriptSink } from '../../src/report/transcript.ts'

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
export class MemorySink implements TranscriptSink {
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
