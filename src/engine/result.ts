import type { Span } from '../diagnostics/diagnostic.ts'
import type { EntryKind } from '../protocol/inbox.ts'
import type { Scenario, Step, StepKind } from '../source/types.ts'

/**
 * - passed: every expectation met.
 * - failed: the device answered, but not as expected (an assertion failure).
 * - errored: no verdict could be reached: timeout, lost port, crashed prerequisite, interruption.
 * - skipped: not run, because an earlier step failed or the run was interrupted.
 */
export type StepStatus = 'passed' | 'failed' | 'errored' | 'skipped'

export type FailureReason =
  | 'unexpected-result'
  | 'timeout'
  | 'rebooted'
  | 'link-lost'
  | 'link-closed'
  | 'interrupted'
  | 'prerequisite-exited'
  | 'undefined-variable'
  | 'write-failed'
  /** A hard reset the port could not perform (no DTR/RTS lines, a server that did not answer). */
  | 'reset-failed'
  /** A line that `absent:` forbids arrived during the step. */
  | 'unwanted-line'
  /** `timeout: ${t}` whose value is not a duration. */
  | 'bad-timeout'
  /** A value templated into a command has a line break: the step wrote nothing. */
  | 'unsafe-value'
  /** The device answered as expected, but later than the step's `budget` allows. */
  | 'over-budget'

export interface StepFailure {
  reason: FailureReason
  /** One sentence, secrets masked: "the device answered ERROR, which the step does not expect". */
  message: string
  /** The `ERR CODE:0x...` line that came with the failure, if any. */
  errCode?: string
  /** The expectation still waited for, as written. */
  waitingFor?: string
  /** For `prerequisite-exited`: which one, its exit code and its last lines of output. */
  prerequisite?: { name: string; exitCode?: number; signal?: string; outputTail: string[] }
}

/**
 * How fast the device answered a step that wrote: times in ms since the run started (`writtenAt`)
 * and since that write (the rest). `firstByteMs` is missing when nothing came back, `resultMs`
 * when the step ended without an answer (a timeout, a lost link). With `poll:` it counts from the
 * first write.
 */
export interface StepLatency {
  /** When the step's (first) write went out. */
  writtenAt: number
  /** From the write to the first byte received after it (with echo on, the echo's). */
  firstByteMs?: number
  /** From the write to the line that decided the step: its final result, or the last expectation met. */
  resultMs?: number
}

/** A line received while the step ran, for reports. `dir` tx is what the host wrote. */
export interface TranscriptLine {
  at: number
  dir: 'tx' | 'rx'
  kind: EntryKind | 'command' | 'payload'
  text: string
}

export interface StepResult {
  phase: 'steps' | 'teardown'
  index: number
  kind: StepKind
  /** Inside `repeat:` blocks: which iteration this is, `3/100` (outermost first, `1/2 3/100`). */
  iteration?: string
  name: string
  span: Span
  /** The step's `doc` link, shown when it fails. */
  doc?: string
  status: StepStatus
  /** The failure was on an `optional: true` step: reported, but the scenario went on. */
  optional: boolean
  /** What was written: the command, or a description of the payload (secrets masked). */
  sent?: string
  expected: string[]
  /** How many of `expected` were met. */
  matched: number
  startedAt: number
  durationMs: number
  /** How many times the step ran (more than 1 with `retry`); the result is the last attempt's. */
  attempts: number
  /** Failures of the earlier attempts, when a retry followed them. */
  earlierFailures?: StepFailure[]
  failure?: StepFailure
  /** Set for steps that wrote something: how long the device took to start and to finish answering. */
  latency?: StepLatency
  /** The step's `budget` (or `defaults.budget`) in ms: a `resultMs` above it fails the step (`over-budget`). */
  budgetMs?: number
  /**
   * What crossed the link while the step ran (secrets masked). Left out of a step that passed: a
   * run keeps passed steps as compact records (a soak of 100,000 steps must not hold every line),
   * and the transcript has every byte. The `step:end` event still carries them.
   */
  lines?: TranscriptLine[]
  captures: Record<string, string>
}

export interface PrerequisiteResult {
  index: number
  name: string
  command: string[]
  status: 'ready' | 'failed' | 'skipped'
  pid?: number
  readyMs?: number
  /** Why it did not get ready. */
  message?: string
  /** What to do about it ("install it with ..."). */
  hint?: string
  exitCode?: number
  signal?: string
  outputTail: string[]
  span: Span
}

export type RunStatus =
  /** Every step passed. */
  | 'passed'
  /** A step failed or errored. */
  | 'failed'
  /** The run could not start: a prerequisite did not start or get ready. */
  | 'not-run'
  /** Ctrl-C or SIGTERM. */
  | 'interrupted'

export interface RunResult {
  scenario: { name: string; file: string; doc?: string; description?: string }
  /** With `--repeat N`: which run of the scenario this is (1-based) of how many. */
  repeat?: { index: number; of: number }
  target: string
  status: RunStatus
  startedAt: string
  durationMs: number
  prerequisites: PrerequisiteResult[]
  steps: StepResult[]
  teardown: StepResult[]
}

/** A step that did not run: the same shape as one that did, so that reports count it either way. */
export function skippedStep(step: Step, name: string, startedAt = 0): StepResult {
  return {
    phase: step.phase,
    index: step.index,
    kind: step.kind,
    name,
    span: step.span,
    ...(step.doc ? { doc: step.doc } : {}),
    status: 'skipped',
    optional: step.optional,
    expected: [],
    matched: 0,
    startedAt,
    durationMs: 0,
    attempts: 0,
    lines: [],
    captures: {},
  }
}

/** Why a scenario given to a suite has no run of its own: its port did not open, `--bail`, Ctrl-C. */
export interface NotRun {
  reason: 'link-error' | 'bail' | 'interrupted'
  message: string
}

/**
 * The result of a scenario that did not run (the port could not be opened, `--bail`, Ctrl-C):
 * the same shape as a real run, every step skipped, so that reports count its steps either way.
 * Names are shown as written, since no variables were resolved.
 */
export function notRunResult(scenario: Scenario, target: string, notRun: NotRun): RunResult {
  const skipped = (s: Step): StepResult => skippedStep(s, s.name.source)
  return {
    scenario: {
      name: scenario.name.source,
      file: scenario.file,
      ...(scenario.doc ? { doc: scenario.doc } : {}),
      ...(scenario.description ? { description: scenario.description } : {}),
    },
    target,
    status: notRun.reason === 'interrupted' ? 'interrupted' : 'not-run',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    prerequisites: scenario.prerequisites.map((p) => ({
      index: p.index,
      name: p.name.source,
      command: p.run.map((t) => t.source),
      status: 'skipped',
      outputTail: [],
      span: p.span,
    })),
    steps: scenario.steps.map(skipped),
    teardown: scenario.teardown.map(skipped),
  }
}
