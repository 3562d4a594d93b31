/** 1-based line and column, as editors show them. */
export interface Pos {
  line: number
  col: number
}

/** A place in a scenario file. `end` is exclusive and on the same line as `start` when rendered. */
export interface Span {
  file: string
  start: Pos
  end: Pos
}

export type Severity = 'error' | 'warning'

/**
 * Every problem the tool can report about a user's input or a run, at load time or at run time.
 * Codes are stable identifiers (tests assert them); messages are for people.
 */
export interface Diagnostic {
  code: DiagnosticCode
  severity: Severity
  message: string
  span?: Span
  /** What to do about it, e.g. "did you mean `expect`?" */
  hint?: string
}

export type DiagnosticCode =
  | 'file-unreadable'
  | 'yaml-syntax'
  | 'schema'
  | 'unknown-key'
  | 'wrong-type'
  | 'missing-key'
  | 'bad-value'
  | 'step-action'
  | 'undefined-variable'
  | 'unused-variable'
  | 'bad-regex'
  | 'bad-duration'
  | 'payload-length'
  | 'payload-without-prompt'
  | 'unbalanced-quotes'
  | 'include-missing'
  | 'include-cycle'
  | 'include-content'
  | 'bad-option'
  | 'unsafe-value'
  | 'unmodelled-command'
  | RunFailureCode

/**
 * The codes of a run's failures, shown in their headers (`error[timeout]: step ...`): the engine's
 * failure reasons, which JUnit's `type` and results.json's `reason` also give, and a prerequisite
 * that did not start.
 */
export type RunFailureCode =
  | 'unexpected-result'
  | 'timeout'
  | 'rebooted'
  | 'link-lost'
  | 'link-closed'
  | 'interrupted'
  | 'prerequisite-exited'
  | 'undefined-variable'
  | 'write-failed'
  | 'reset-failed'
  | 'unwanted-line'
  | 'bad-timeout'
  | 'over-budget'
  | 'prerequisite-failed'

export function error(code: DiagnosticCode, message: string, span?: Span, hint?: string): Diagnostic {
  return { code, severity: 'error', message, ...(span ? { span } : {}), ...(hint ? { hint } : {}) }
}

export function warning(code: DiagnosticCode, message: string, span?: Span, hint?: string): Diagnostic {
  return { code, severity: 'warning', message, ...(span ? { span } : {}), ...(hint ? { hint } : {}) }
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error')
}

export function formatLocation(span: Span): string {
  return `${span.file}:${span.start.line}:${span.start.col}`
}
