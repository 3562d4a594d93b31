import type { Span } from '../diagnostics/diagnostic.ts'
import type { ParsedTemplate } from './template.ts'

/** A string from the scenario that may contain `${...}` references, with where it was written. */
export interface Template {
  source: string
  parsed: ParsedTemplate
  span: Span
  /** Where each `${...}` reference was written, in order, when it could be found in the file. */
  refSpans?: (Span | undefined)[]
  /** Set for text from an included file: its variables come first, then the includer's. */
  scope?: IncludeScope
}

/**
 * The variables of one `include:` of a file: that file's `vars` as defaults, replaced by the
 * step's `with:` values (templates of the including file), and the includer's variables behind them.
 */
export interface IncludeScope {
  /** The included file, as shown in messages. */
  file: string
  vars: VariableDecl[]
  with: VariableDecl[]
  /** Names of the included file's variables to mask. */
  secrets: string[]
  parent?: IncludeScope
}

/** The kinds of received data an expectation may name, as the scenario writes them. */
export type DataRecordKind = 'ipd' | 'recv' | 'mqtt' | 'http' | 'ws' | 'raw'

export type Payload =
  | { kind: 'text'; text: Template; repeat: number; span: Span }
  /** `invalid`: the payload had an error of its own; its length says nothing. */
  | { kind: 'bytes'; bytes: Uint8Array; span: Span; invalid?: true }

export type Expectation =
  | { kind: 'line'; text: Template; span: Span }
  | { kind: 'regex'; pattern: Template; flags: string; groups: string[]; span: Span }
  /** Received data: `record` narrows it to one kind of record (`recv` is +CIPRECVDATA), `topic` to an MQTT topic. */
  | { kind: 'data'; payload: Payload; record?: DataRecordKind; link?: number; topic?: string; span: Span }

interface StepCommon {
  /** `steps` or `teardown`, and the position in it (0-based), for reports. */
  phase: 'steps' | 'teardown'
  index: number
  /** The `name:` key, or a name derived from the action. */
  name: Template
  span: Span
  timeoutMs: number
  /** `timeout: ${t}`: resolved when the step runs (`timeoutMs` is then only the default). */
  timeoutTemplate?: Template
  /** Lines that must not arrive while the step runs (`absent:`). */
  absent: Expectation[]
  /** Inside `repeat:` blocks, outermost first: this copy's iteration (1-based) of how many. */
  iterations?: { index: number; of: number }[]
  /**
   * `budget:` (or `defaults.budget`): the longest the answer may take, from the write to the line
   * that decides the step; a later one fails the step (`over-budget`) although it was right. Only
   * on steps that write and wait (send, payload, write with `expect`).
   */
  budgetMs?: number
  /** More attempts after a failure, `delayMs` apart. */
  retry?: { times: number; delayMs: number }
  optional: boolean
  doc?: string
}

export type Step =
  /**
   * `expect: []`: the step writes and does not wait for an answer (`awaitsAnswer: false`). `poll`:
   * the command is written again every `everyMs` until the expectations are met.
   */
  | (StepCommon & { kind: 'send'; command: Template; expect: Expectation[]; awaitsAnswer: boolean; poll?: { everyMs: number } })
  | (StepCommon & { kind: 'payload'; payload: Payload; expect: Expectation[] })
  /**
   * Raw bytes written now, with no prompt to wait for (passthrough data, `+++`): `beforeMs` of quiet
   * before, `gapMs` between bytes, `afterMs` of quiet after; then `expect`, if any.
   */
  | (StepCommon & { kind: 'write'; payload: Payload; expect: Expectation[]; beforeMs: number; afterMs: number; gapMs: number })
  | (StepCommon & { kind: 'wait'; expect: Expectation[] })
  | (StepCommon & { kind: 'sleep'; durationMs: number })
  /** Not written in scenarios: the engine's first step when the device is to be reset (`device.reset`, `--reset`). */
  | (StepCommon & { kind: 'reset'; how: 'hard' | 'soft' })

export type StepKind = Step['kind']

export type Readiness =
  | { kind: 'started' }
  | { kind: 'port'; port: Template; host?: Template; timeoutMs: number }
  | { kind: 'stdout'; line: Expectation; timeoutMs: number }
  | { kind: 'delay'; ms: number }

export interface Prerequisite {
  index: number
  name: Template
  run: Template[]
  cwd?: Template
  env: { name: string; value: Template }[]
  ready: Readiness
  span: Span
}

export interface VariableDecl {
  name: string
  value: Template
  span: Span
}

export interface DeviceSettings {
  baudRate?: number
  reset: 'none' | 'hard' | 'soft'
  /** Where `reset` was written, or where the scenario starts. */
  resetSpan: Span
  echo?: boolean
}

/** A loaded, validated scenario. Templates are resolved at run time, when the values are known. */
export interface Scenario {
  /** The path as the user gave it, used in messages. */
  file: string
  /** Absolute directory of the file; relative paths in the scenario start here. */
  dir: string
  name: Template
  description?: string
  doc?: string
  tags: string[]
  vars: VariableDecl[]
  secrets: { name: string; span: Span }[]
  defaultTimeoutMs: number
  device: DeviceSettings
  /** Only on the built-in simulator: variables replacing `vars`, and a device profile (absolute path). */
  simulator: { vars: VariableDecl[]; profile?: string }
  prerequisites: Prerequisite[]
  steps: Step[]
  teardown: Step[]
  /** Every `include:` scope, in order of appearance. */
  includes: IncludeScope[]
}
