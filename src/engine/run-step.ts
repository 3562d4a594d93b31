import { escapeAtString } from '../bytes/at-argument.ts'
import type { Redactor } from '../bytes/redact.ts'
import { Exchange } from '../protocol/exchange.ts'
import type { ExchangeFailure } from '../protocol/exchange.ts'
import type { InboxEntry } from '../protocol/inbox.ts'
import type { Matcher } from '../protocol/matchers.ts'
import type { AtSession, RunOutcome } from '../protocol/session.ts'
import { FINISHED } from '../protocol/session.ts'
import type { Expectation, Step } from '../source/types.ts'
import { UndefinedVariableError } from '../source/template.ts'
import { parseDuration } from '../source/duration.ts'
import { toMatcher } from './expectations.ts'
import { budgetFailure, commandKey, latencyOf } from './latency.ts'
import type { StepFailure, StepResult, TranscriptLine } from './result.ts'
import { sleep } from './sleep.ts'
import type { MatcherSet, StepContext, StepPlan } from './steps/context.ts'
import { stepHandler } from './steps/index.ts'

export type { StepContext } from './steps/context.ts'

const MAX_LINES = 200
/** Exchange failures that are the device answering otherwise than expected: a failed step, not an errored one. */
const ASSERTIONS: ReadonlySet<ExchangeFailure['reason']> = new Set(['unexpected-result', 'unwanted'])
/** The longest a timer can wait (2^31 - 1 ms): a longer timeout would fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647
/** How many lines from before a `wait` step began its report shows. */
const OLDER_LINES_SHOWN = 20

/**
 * Runs a step, again after a failure while its `retry` allows, and returns the last attempt's
 * result with the earlier failures attached.
 */
export async function runStepWithRetry(
  step: Step,
  ctx: StepContext,
  hooks: { onStart?: (expected: string[], waitMs: number) => void; onRetry?: (attempt: number, failure: StepFailure) => void } = {},
): Promise<StepResult> {
  const earlier: StepFailure[] = []
  const startedAt = ctx.now()
  for (let attempt = 1; ; attempt++) {
    const result = await runStep(step, ctx, attempt === 1 ? hooks.onStart : undefined)
    const retriable = result.status === 'failed' || result.status === 'errored'
    const interrupted = result.failure?.reason === 'interrupted' || result.failure?.reason === 'prerequisite-exited'
    if (!retriable || interrupted || !step.retry || attempt > step.retry.times) {
      result.attempts = attempt
      if (earlier.length > 0) result.earlierFailures = earlier
      result.durationMs = ctx.now() - startedAt
      return result
    }
    earlier.push(result.failure!)
    hooks.onRetry?.(attempt + 1, result.failure!)
    if (await sleep(step.retry.delayMs, ctx.signal)) {
      // Interrupted while waiting to try again: the failures so far are what the user needs to see.
      const last = { ...result, attempts: attempt, earlierFailures: earlier, failure: ctx.abortReason(), status: 'errored' as const }
      last.durationMs = ctx.now() - startedAt
      return last
    }
  }
}

/** Runs one attempt of a step to its verdict. Never throws for anything the device or the user did. */
export async function runStep(given: Step, ctx: StepContext, onStart?: (expected: string[], waitMs: number) => void): Promise<StepResult> {
  const startedAt = ctx.now()
  const result = newResult(given, ctx, startedAt)
  const finish = (status: StepResult['status'], failure?: StepFailure): StepResult => {
    result.status = status
    if (failure) result.failure = failure
    result.durationMs = ctx.now() - startedAt
    return result
  }
  const timed = withTimeout(given, ctx)
  const step = 'failure' in timed ? given : timed.step
  const handler = stepHandler(step)
  // The expectations are rendered once: their labels announce the step, the matchers run it.
  const { matchers, labels, undefinedVariable } = handler.matchers?.(step, ctx) ?? buildMatchers(step.kind === 'sleep' || step.kind === 'reset' ? [] : step.expect, ctx)
  const forbidden = buildMatchers(step.absent, ctx)
  result.expected = undefinedVariable ? [] : labels
  onStart?.(labels, handler.waitMs(step))
  if ('failure' in timed) return finish('errored', timed.failure)
  if (ctx.signal.aborted) return finish('errored', ctx.abortReason())

  if (step.budgetMs !== undefined) result.budgetMs = step.budgetMs
  // Latency counts from the step's first write (a `poll:` writes again; a payload waits for `>` first).
  let writtenAt: number | undefined
  const lines = (result.lines ??= [])
  const noteLine = (line: TranscriptLine) => {
    lines.push(line)
    if (line.dir === 'tx' && writtenAt === undefined) {
      writtenAt = line.at
      ctx.reads?.arm()
    }
  }
  let plan: StepPlan
  try {
    if (undefinedVariable) throw undefinedVariable
    if (forbidden.undefinedVariable) throw forbidden.undefinedVariable
    plan = handler.plan(step, ctx, noteLine)
  } catch (e) {
    if (e instanceof UndefinedVariableError) {
      return finish('errored', { reason: 'undefined-variable', message: `${e.message}: it has no value when this step runs` })
    }
    throw e
  }
  if (plan.kind === 'error') return finish('errored', plan.failure)
  if (plan.kind === 'pause') return (await sleep(plan.ms, ctx.signal)) ? finish('errored', ctx.abortReason()) : finish('passed')
  if (plan.sent !== undefined) result.sent = plan.sent
  if (plan.kind === 'write') {
    const outcome = writeOutcome(await writeWithin(plan.write, step.timeoutMs, ctx.signal), step.timeoutMs, ctx)
    // Nothing is waited for: only when the bytes went out is known.
    if (writtenAt !== undefined) result.latency = { writtenAt }
    return finish(...outcome)
  }

  if (plan.awaitPrompt) {
    const prompt = await ctx.session.waitForPrompt(step.timeoutMs, ctx.signal)
    if (prompt.kind !== 'settled') return finish('errored', promptMissing(prompt, step.timeoutMs, ctx))
  }
  const exchange = new Exchange({
    mode: plan.mode,
    matchers,
    startSeq: ctx.session.mark,
    bootBannerExpected: !ctx.session.hasAnswered,
    ...(plan.freshOnly ? { freshOnly: true } : {}),
    ...(plan.commandName ? { commandName: plan.commandName } : {}),
    ...(forbidden.matchers.length > 0 ? { forbidden: forbidden.matchers } : {}),
  })
  // The arrival of the last line seen before the exchange settled: the one that decided it.
  let lastSeenAt: number | undefined
  const record = (entry: InboxEntry) => {
    if (writtenAt !== undefined && entry.at >= writtenAt) lastSeenAt = entry.at
    if (lines.length < MAX_LINES) lines.push({ at: entry.at, dir: 'rx', kind: entry.kind, text: shownText(entry, ctx) })
  }
  const unsubscribe = subscribe(ctx.session, exchange, record)
  // The write happens inside the exchange's run: one timer and one abort listener bound both.
  const polling = plan.repeatWriteMs !== undefined && plan.write ? repeatWrites(plan.write, plan.repeatWriteMs) : undefined
  const outcome = await ctx.session.run(exchange, step.timeoutMs, ctx.signal, plan.write, plan.settleAfterWrite ? { settleAfterWrite: true } : {})
  polling?.abort()
  unsubscribe()
  for (const note of exchange.notes) ctx.note?.(note)
  if (outcome.kind === 'write-failed') {
    return finish('errored', plan.writeFailure?.(outcome.error) ?? { reason: 'write-failed', message: `could not write to the device: ${outcome.error.message}` })
  }
  if (outcome.kind === 'write-stalled') {
    return finish('errored', { reason: 'write-failed', message: `the write to the device did not complete within ${step.timeoutMs} ms (flow control holding it?)` })
  }
  result.matched = exchange.matched
  keepCaptures(exchange.captures, result, ctx)
  if (writtenAt !== undefined) result.latency = latencyOf(writtenAt, ctx.reads?.first, outcome.kind === 'settled' ? lastSeenAt : undefined)
  const verdict = exchangeVerdict(exchange, outcome, step.timeoutMs, ctx)
  // A right answer that came too late: a failure of its own, so that a slower firmware breaks CI.
  const late = verdict.status === 'passed' ? budgetFailure(result.latency, step.budgetMs, step.kind === 'send' ? commandKey(result.sent) : undefined) : undefined
  if (late) return finish('failed', late)
  return finish(verdict.status, verdict.failure)
}

function newResult(step: Step, ctx: StepContext, startedAt: number): StepResult {
  return {
    phase: step.phase,
    index: step.index,
    kind: step.kind,
    name: stepDisplayName(step, ctx.redactor.text(safeRender(() => ctx.vars.render(step.name), step.name.source))),
    span: step.span,
    ...(step.iterations ? { iteration: iterationLabel(step.iterations) } : {}),
    ...(step.doc ? { doc: step.doc } : {}),
    status: 'passed',
    optional: step.optional,
    expected: [],
    matched: 0,
    startedAt,
    durationMs: 0,
    attempts: 1,
    lines: [],
    captures: {},
  }
}

function promptMissing(o: RunOutcome, timeoutMs: number, ctx: StepContext): StepFailure {
  if (o.kind === 'aborted') return ctx.abortReason()
  if (o.kind === 'link-closed') return { reason: 'link-closed', message: 'the link to the device closed before its `>` prompt' }
  return {
    reason: 'timeout',
    message: `timed out after ${timeoutMs} ms waiting for the \`>\` prompt before writing the payload (did the step before send AT+WSSEND or AT+CIPSEND?)`,
    waitingFor: '>',
  }
}

/** Captured values become variables for later steps; a capture into a `secrets` variable is a secret from now on. */
function keepCaptures(captures: Record<string, string>, result: StepResult, ctx: StepContext): void {
  for (const [name, value] of Object.entries(captures)) {
    if (ctx.vars.isSecret(name)) {
      // Also as the device echoes it from a quoted command parameter.
      for (const form of new Set([value, escapeAtString(value)])) {
        ctx.redactor.add(form)
        ctx.masker.addSecret({ name, value: form })
      }
    }
    // The variable keeps the real value; the result, which reports print, gets it masked.
    result.captures[name] = ctx.redactor.text(value)
    ctx.vars.set(name, value)
  }
}

/** The verdict of a finished exchange: the device answered (as expected or not), or no verdict could be had. */
function exchangeVerdict(exchange: Exchange, outcome: RunOutcome, timeoutMs: number, ctx: StepContext): { status: StepResult['status']; failure?: StepFailure } {
  const waitingFor = exchange.waitingFor?.label
  const base = waitingFor ? { waitingFor } : {}
  switch (outcome.kind) {
    case 'settled':
      if (exchange.status === 'passed') return { status: 'passed' }
      // The device answered but not as expected: a failure. It restarted or lost the link: no verdict, an error.
      return { status: ASSERTIONS.has(exchange.failure!.reason) ? 'failed' : 'errored', failure: exchangeFailure(exchange.failure!, waitingFor, ctx.redactor) }
    case 'timeout': {
      // A regular expression that backtracks without end on a line: say so, or the timeout reads as silence.
      const busy = exchange.waitingFor?.busy?.()
      return {
        status: 'errored',
        failure: {
          ...base,
          reason: 'timeout',
          message: waitingFor
            ? `timed out after ${timeoutMs} ms waiting for \`${waitingFor}\`${busy ? ` (${busy}: a pattern that takes that long over one line backtracks catastrophically on it; \`at-scenario validate\` warns about nested quantifiers)` : ''}`
            : `timed out after ${timeoutMs} ms waiting for the command to finish (OK or another final result)`,
        },
      }
    }
    case 'aborted':
      return { status: 'errored', failure: { ...ctx.abortReason(), ...base } }
    case 'link-closed':
      return { status: 'errored', failure: { ...base, reason: 'link-closed', message: `the link to the device closed${outcome.error ? ` (${outcome.error.message})` : ''}` } }
    default:
      throw new Error(`a write outcome reached the verdict: ${outcome.kind}`)
  }
}

/**
 * A step's matchers and their labels (masked). A template with no value yet (a capture that did not
 * happen) shows as written in the label, and the error is kept for the step to report.
 */
function buildMatchers(expectations: readonly Expectation[], ctx: Pick<StepContext, 'vars'>): MatcherSet {
  const matchers: Matcher[] = []
  const labels: string[] = []
  let undefinedVariable: UndefinedVariableError | undefined
  for (const e of expectations) {
    try {
      const m = toMatcher(e, ctx.vars)
      matchers.push(m)
      labels.push(m.label)
    } catch (error) {
      if (!(error instanceof UndefinedVariableError)) throw error
      undefinedVariable ??= error
      labels.push(asWritten(e))
    }
  }
  return { matchers, labels, ...(undefinedVariable ? { undefinedVariable } : {}) }
}

function asWritten(e: Expectation): string {
  if (e.kind === 'line') return e.text.source
  if (e.kind === 'regex') return `/${e.pattern.source}/${e.flags}`
  return '+WS_DATA'
}

/** Records what the step saw: for `wait`, the older inbox entries it looked at too. */
function subscribe(session: AtSession, exchange: Exchange, record: (e: InboxEntry) => void): () => void {
  // The latest of the older lines only: a long-running link may have left thousands, and the
  // step's own lines must still fit in its report.
  if (exchange.mode === 'wait' && !exchange.freshOnly) for (const e of session.received(0).slice(-OLDER_LINES_SHOWN)) record(e)
  return session.subscribe(record)
}

function exchangeFailure(f: ExchangeFailure, waitingFor: string | undefined, redactor: Redactor): StepFailure {
  const base = waitingFor ? { waitingFor } : {}
  switch (f.reason) {
    case 'unexpected-result':
      return {
        ...base,
        reason: 'unexpected-result',
        message: `the device answered \`${redactor.text(f.entry.text)}\`${waitingFor ? ` while the step waited for \`${waitingFor}\`` : ''}`,
        ...(f.errCode ? { errCode: f.errCode } : {}),
      }
    case 'rebooted':
      return { ...base, reason: 'rebooted', message: 'the device rebooted in the middle of the step (it printed `ready`)' }
    case 'unwanted':
      return { ...base, reason: 'unwanted-line', message: `the device sent \`${redactor.text(f.entry.text)}\`, which \`absent\` forbids (\`${f.matcher.label}\`)` }
    case 'link-lost':
      return { ...base, reason: 'link-lost', message: `WebSocket link ${f.link} was lost (\`${f.entry.text}\`)${waitingFor ? ` while waiting for \`${waitingFor}\`` : ''}` }
  }
}

/**
 * A received record as the reports show it. Data that only repeats what the host wrote with no
 * secret in it is evidence and shown as it is; anything else has the secrets' values masked.
 */
function shownText(entry: InboxEntry, ctx: Pick<StepContext, 'redactor' | 'masker'>): string {
  if (entry.record.kind === 'data' && ctx.masker.reflectsCleanWrite(entry.record.bytes)) return entry.text
  return ctx.redactor.text(entry.text)
}

function safeRender(render: () => string, fallback: string): string {
  try {
    return render()
  } catch {
    return fallback
  }
}

/**
 * The step as it runs: its timeout resolved (`timeout: ${t}`) and scaled (`--timeout-scale`), or why
 * it cannot be.
 */
function withTimeout(step: Step, ctx: StepContext): { step: Step } | { failure: StepFailure } {
  let ms = step.timeoutMs
  if (step.timeoutTemplate) {
    let text: string
    try {
      text = ctx.vars.render(step.timeoutTemplate)
    } catch (e) {
      if (e instanceof UndefinedVariableError) return { failure: { reason: 'undefined-variable', message: `${e.message} in \`timeout\`: it has no value when this step runs` } }
      throw e
    }
    const parsed = parseDuration(/^\d+$/.test(text.trim()) ? Number(text.trim()) : text)
    if (parsed === undefined) return { failure: { reason: 'bad-timeout', message: `\`timeout: ${step.timeoutTemplate.source}\` is \`${ctx.redactor.text(text)}\`, not a duration (250ms, 5s, 2m or milliseconds)` } }
    ms = parsed
  }
  const scaled = Math.round(ms * (ctx.timeoutScale ?? 1))
  if (scaled > MAX_TIMEOUT_MS) return { failure: { reason: 'bad-timeout', message: `the timeout of ${scaled} ms is longer than a timer can wait (${MAX_TIMEOUT_MS} ms)` } }
  return { step: scaled === step.timeoutMs ? step : { ...step, timeoutMs: scaled } }
}

/** A step's name with its iterations of `repeat:` blocks: `Send 4 bytes [3/100]`. */
export function stepDisplayName(step: Pick<Step, 'iterations'>, name: string): string {
  return step.iterations ? `${name} [${iterationLabel(step.iterations)}]` : name
}

function iterationLabel(iterations: readonly { index: number; of: number }[]): string {
  return iterations.map((i) => `${i.index}/${i.of}`).join(' ')
}

/** `poll:`: the write again every `everyMs`, until aborted (the exchange is over) or a write fails. */
function repeatWrites(write: (cancelled: AbortSignal) => Promise<void>, everyMs: number): AbortController {
  const stop = new AbortController()
  void (async () => {
    while (!(await sleep(everyMs, stop.signal))) {
      try {
        await write(stop.signal)
      } catch {
        return // the link went away: the exchange sees that itself
      }
    }
  })()
  return stop
}

type WriteResult = { kind: 'done' } | { kind: 'stalled' } | { kind: 'aborted' } | { kind: 'failed'; error: Error }

/** A write with nothing to wait for after it, within the step's timeout and Ctrl-C. */
function writeWithin(write: (cancelled: AbortSignal) => Promise<void>, timeoutMs: number, signal: AbortSignal): Promise<WriteResult> {
  return new Promise((resolve) => {
    const cancel = new AbortController()
    let done = false
    const finish = (r: WriteResult) => {
      if (done) return
      done = true
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      cancel.abort(FINISHED)
      resolve(r)
    }
    const timer = setTimeout(() => finish({ kind: 'stalled' }), timeoutMs)
    const onAbort = () => finish({ kind: 'aborted' })
    if (signal.aborted) return finish({ kind: 'aborted' })
    signal.addEventListener('abort', onAbort, { once: true })
    write(cancel.signal).then(
      () => finish(signal.aborted ? { kind: 'aborted' } : { kind: 'done' }),
      (error: Error) => finish({ kind: 'failed', error }),
    )
  })
}

function writeOutcome(r: WriteResult, timeoutMs: number, ctx: StepContext): [StepResult['status'], StepFailure?] {
  switch (r.kind) {
    case 'done':
      return ['passed']
    case 'aborted':
      return ['errored', ctx.abortReason()]
    case 'stalled':
      return ['errored', { reason: 'write-failed', message: `the write to the device did not complete within ${timeoutMs} ms (flow control holding it?)` }]
    case 'failed':
      return ['errored', { reason: 'write-failed', message: `could not write to the device: ${r.error.message}` }]
  }
}
