import type { StepFailure, StepLatency } from './result.ts'

/**
 * When the device started answering: armed at a step's write, it keeps the time of the first chunk
 * read after it. Fed by the session's reads (bytes, not records), so the time is that of the first
 * byte, before any line is complete.
 */
export class ReadClock {
  private armed = false
  private firstAt: number | undefined

  /** A write goes out now: the next read is the first byte of its answer. */
  arm(): void {
    this.armed = true
    this.firstAt = undefined
  }

  /** Bytes were read at `at` (ms since the run started). */
  read(at: number): void {
    if (!this.armed) return
    this.armed = false
    this.firstAt = at
  }

  /** The first read since `arm`, if any. */
  get first(): number | undefined {
    return this.firstAt
  }
}

/** A step's latency from its write, the first read after it and the line that decided it (ms since the run started). */
export function latencyOf(writtenAt: number, firstReadAt: number | undefined, decidedAt: number | undefined): StepLatency {
  return {
    writtenAt,
    ...(firstReadAt !== undefined ? { firstByteMs: Math.max(0, firstReadAt - writtenAt) } : {}),
    ...(decidedAt !== undefined ? { resultMs: Math.max(0, decidedAt - writtenAt) } : {}),
  }
}

/** The failure of an answer that was right but came later than `budgetMs` allows, or undefined. */
export function budgetFailure(latency: StepLatency | undefined, budgetMs: number | undefined, what: string | undefined): StepFailure | undefined {
  if (budgetMs === undefined || latency?.resultMs === undefined || latency.resultMs <= budgetMs) return undefined
  const took = Math.round(latency.resultMs * 10) / 10
  return { reason: 'over-budget', message: `the answer${what ? ` to \`${what}\`` : ''} took ${took} ms, over the step's budget of ${budgetMs} ms` }
}

/**
 * The name latency figures are gathered under for a command as written (`sent`, masked): `AT+CWJAP`
 * for its set and execute forms, `AT+CWJAP?` for the query and `AT+CWJAP=?` for the test command
 * (a query answers at once, a join takes seconds: one figure for both would describe neither),
 * `AT`, `ATE0`. Undefined for what is no AT command.
 */
export function commandKey(sent: string | undefined): string | undefined {
  const m = /^(AT(?:\+[A-Za-z0-9_]+|[A-Za-z&][0-9]*)?)(=\?|\?)?/i.exec(sent ?? '')
  return m ? `${m[1]!.toUpperCase()}${m[2] ?? ''}` : undefined
}
