import type { IoMasker } from '../../bytes/io-masker.ts'
import type { OpenLink } from '../../link/stream-link.ts'
import type { Redactor } from '../../bytes/redact.ts'
import type { ExchangeMode } from '../../protocol/exchange.ts'
import type { Matcher } from '../../protocol/matchers.ts'
import type { AtSession } from '../../protocol/session.ts'
import type { UndefinedVariableError } from '../../source/template.ts'
import type { Step } from '../../source/types.ts'
import type { Variables } from '../../source/variables.ts'
import type { ReadClock } from '../latency.ts'
import type { StepFailure, TranscriptLine } from '../result.ts'

/** What a step runs with: the device session, the run's values, and how to stop. */
export interface StepContext {
  session: AtSession
  /** Drives DTR/RTS for a hard reset, when the port has the lines. */
  setLines?: (lines: { dtr?: boolean; rts?: boolean }) => Promise<void>
  /** A lab's own hard reset (LAVA's command), used instead of DTR/RTS when the link has one. */
  hardReset?: OpenLink['hardReset']
  /** The port, as people know it, for messages. */
  linkDescription?: string
  vars: Variables
  redactor: Redactor
  /** Masks the bytes for listeners; tells received data that only repeats a plain write. */
  masker: Pick<IoMasker, 'reflectsCleanWrite' | 'addSecret'>
  /** Milliseconds since the run started. */
  now(): number
  /** Aborted on Ctrl-C and when a prerequisite exits. */
  signal: AbortSignal
  /** Why `signal` was aborted, as a step failure. */
  abortReason(): StepFailure
  /** `--timeout-scale`: every step timeout is multiplied by it (slow boards). Default 1. */
  timeoutScale?: number
  /** The device's reads, for the time to the first byte of an answer; without it latency has no first byte. */
  reads?: ReadClock
  /** Something the user should know about the step as it runs (a result with a trailing space); the transcript shows it. */
  note?(text: string): void
}

/** A step's expectations, ready to run, and how they read; a template with no value yet is kept to report. */
export interface MatcherSet {
  matchers: Matcher[]
  labels: string[]
  undefinedVariable?: UndefinedVariableError
}

/** What a step does, once its expectations are known. */
export type StepPlan =
  /** Writes (or not) and runs an exchange of `mode` against what the device says. */
  | {
      kind: 'exchange'
      mode: ExchangeMode
      /** What was written, for reports (masked). */
      sent?: string
      write?: (cancelled: AbortSignal) => Promise<void>
      /** The device drops bytes written before its `>`: wait for it first (payloads). */
      awaitPrompt?: boolean
      /** `+CWMODE` for `AT+CWMODE?`: its information lines belong to this step. */
      commandName?: string
      /** Only what arrives from now on counts (after a reset, an old `ready` must not). */
      freshOnly?: boolean
      /** How a failed write reads (a reset the port could not do); default: "could not write". */
      writeFailure?: (error: Error) => StepFailure | undefined
      /** `poll:` the write again every `everyMs` while the exchange is pending. */
      repeatWriteMs?: number
      /** What arrives during the write counts, but the step ends only after the write (a lab's reset command). */
      settleAfterWrite?: boolean
    }
  /** Writes and waits for nothing (`expect: []`): the step passes once the bytes are out. */
  | { kind: 'write'; sent: string; write: (cancelled: AbortSignal) => Promise<void> }
  /** Waits, and nothing else. */
  | { kind: 'pause'; ms: number }
  /** Cannot run at all: errored before anything was written. */
  | { kind: 'error'; failure: StepFailure }

/** One kind of step: a table entry, so that a new kind is one file and one line in `STEP_KINDS`. */
export interface StepHandler<S extends Step = Step> {
  /** The expectations; default: the step's `expect`. */
  matchers?(step: S, ctx: StepContext): MatcherSet
  /** How long the step may wait, for progress output (a pause: its length). */
  waitMs(step: S): number
  /** What the step does; `note` records a line in the step's report as it is written. */
  plan(step: S, ctx: StepContext, note: (line: TranscriptLine) => void): StepPlan
}
