import type { IoMasker } from '../bytes/io-masker.ts'
import type { Redactor } from '../bytes/redact.ts'
import { maskTemplated, utf8Spans } from '../bytes/secret-scan.ts'
import { Exchange } from '../protocol/exchange.ts'
import type { ExchangeFailure, ExchangeMode } from '../protocol/exchange.ts'
import type { InboxEntry } from '../protocol/inbox.ts'
import { lineMatcher } from '../protocol/matchers.ts'
import type { Matcher } from '../protocol/matchers.ts'
import type { AtSession, RunOutcome } from '../protocol/session.ts'
import type { Expectation, Step } from '../source/types.ts'
import { UndefinedVariableError } from '../source/template.ts'
import type { Variables } from '../source/variables.ts'
import { describeBytes, payloadBytes, toMatcher } from './expectations.ts'
import type { StepFailure, StepResult, TranscriptLine } from './result.ts'

export interface StepContext {
  session: AtSession
  /** Drives DTR/RTS for a hard reset, when the port has the lines. */
  setLines?: (lines: { dtr?: boolean; rts?: boolean }) => Promise<void>
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
}

const MAX_LINES = 200
/** How many lines from before a `wait` step began its report shows. */
const OLDER_LINES_SHOWN = 20

const HARD_RESET_PULSE_MS = 100

class ResetFailed extends Error {}

/** What a reset waits for: the boot banner; after AT+RST, its OK first. */
function resetMatchers(how: 'hard' | 'soft'): Matcher[] {
  return how === 'soft' ? [lineMatcher('OK'), lineMatcher('ready')] : [lineMatcher('ready')]
}


/**
 * Runs a step, again after a failure while its `retry` allows, and returns the last attempt's
 * result with the earlier failures attached.
 */
export async function runStepWithRetry(
  step: Step,
  ctx: StepContext,
  hooks: { onStart?: (expected: string[]) => void; onRetry?: (attempt: number, failure: StepFailure) => void } = {},
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
export async function runStep(step: Step, ctx: StepContext, onStart?: (expected: string[]) => void): Promise<StepResult> {
  const startedAt = ctx.now()
  const lines: TranscriptLine[] = []
  const result: StepResult = {
    phase: step.phase,
    index: step.index,
    kind: step.kind,
    name: ctx.redactor.text(safeRender(() => ctx.vars.render(step.name), step.name.source)),
    span: step.span,
    ...(step.doc ? { doc: step.doc } : {}),
    status: 'passed',
    optional: step.optional,
    expected: [],
    matched: 0,
    startedAt,
    durationMs: 0,
    attempts: 1,
    lines,
    captures: {},
  }
  const finish = (status: StepResult['status'], failure?: StepFailure): StepResult => {
    result.status = status
    if (failure) result.failure = failure
    result.durationMs = ctx.now() - startedAt
    return result
  }
  // The expectations are rendered once: their labels announce the step, the matchers run it.
  const { matchers, labels, undefinedVariable } = buildMatchers(step, ctx)
  result.expected = undefinedVariable ? [] : labels
  onStart?.(labels)
  if (ctx.signal.aborted) return finish('errored', ctx.abortReason())

  if (step.kind === 'sleep') {
    const aborted = await sleep(step.durationMs, ctx.signal)
    return aborted ? finish('errored', ctx.abortReason()) : finish('passed')
  }

  let exchange: Exchange
  let write: ((cancelled: AbortSignal) => Promise<void>) | undefined
  const promptMissing = (o: RunOutcome): StepResult => {
    if (o.kind === 'aborted') return finish('errored', ctx.abortReason())
    if (o.kind === 'link-closed') return finish('errored', { reason: 'link-closed', message: 'the link to the device closed before its `>` prompt' })
    return finish('errored', {
      reason: 'timeout',
      message: `timed out after ${step.timeoutMs} ms waiting for the \`>\` prompt before writing the payload (did the step before send AT+WSSEND or AT+CIPSEND?)`,
      waitingFor: '>',
    })
  }
  const record = (entry: InboxEntry) => {
    if (lines.length < MAX_LINES) lines.push({ at: entry.at, dir: 'rx', kind: entry.kind, text: shownText(entry, ctx) })
  }
  try {
    if (undefinedVariable) throw undefinedVariable
    let commandName: string | undefined
    const mode: ExchangeMode = step.kind === 'send' || (step.kind === 'reset' && step.how === 'soft') ? 'command' : step.kind === 'reset' ? 'wait' : step.kind
    if (step.kind === 'reset' && step.how === 'soft') {
      result.sent = 'AT+RST'
      write = async () => {
        lines.push({ at: ctx.now(), dir: 'tx', kind: 'command', text: 'AT+RST' })
        await ctx.session.sendCommand('AT+RST')
      }
    } else if (step.kind === 'reset') {
      const setLines = ctx.setLines
      if (!setLines) {
        return finish('errored', {
          reason: 'reset-failed',
          message: `${ctx.linkDescription ?? 'this port'} cannot drive DTR/RTS, so it cannot hard-reset the board; use \`device.reset: soft\` (AT+RST) or \`--reset none\``,
        })
      }
      result.sent = 'RTS pulse with DTR released (EN low for 100 ms, GPIO0 high: run mode)'
      write = async (cancelled) => {
        lines.push({ at: ctx.now(), dir: 'tx', kind: 'command', text: `(${result.sent})` })
        try {
          // The esptool sequence for run mode: DTR released keeps GPIO0 high, RTS pulls EN low.
          await setLines({ dtr: false, rts: true })
          await sleep(HARD_RESET_PULSE_MS, cancelled)
          await setLines({ dtr: false, rts: false })
        } catch (e) {
          throw new ResetFailed((e as Error).message)
        }
      }
    } else if (step.kind === 'send') {
      const rendered = ctx.vars.renderWithSecrets(step.command)
      const command = rendered.text
      commandName = /^AT(\+[A-Za-z0-9_]+)/i.exec(command)?.[1]?.toUpperCase()
      // Masked where a secret was templated in, and nowhere else: the rest is what was sent.
      result.sent = maskTemplated(rendered)
      write = async () => {
        lines.push({ at: ctx.now(), dir: 'tx', kind: 'command', text: result.sent! })
        await ctx.session.sendCommand(command, utf8Spans(rendered))
      }
    } else if (step.kind === 'payload') {
      const { bytes, secrets } = payloadBytes(step.payload, ctx.vars)
      result.sent = describeBytes(bytes, secrets)
      write = async () => {
        lines.push({ at: ctx.now(), dir: 'tx', kind: 'payload', text: result.sent! })
        await ctx.session.write(bytes, secrets)
      }
    }
    if (step.kind === 'payload') {
      // The device drops payload bytes that arrive before its `>` (reference §4): wait for it
      // first; the payload's answer is only what comes after the bytes are written.
      const prompt = await ctx.session.waitForPrompt(step.timeoutMs, ctx.signal)
      if (prompt.kind !== 'settled') return promptMissing(prompt)
    }
    exchange = new Exchange({
      mode,
      matchers,
      startSeq: ctx.session.mark,
      bootBannerExpected: !ctx.session.hasAnswered,
      // After a hard reset only the `ready` it causes counts, not one from before.
      freshOnly: step.kind === 'reset',
      ...(commandName ? { commandName } : {}),
    })
  } catch (e) {
    if (e instanceof UndefinedVariableError) {
      return finish('errored', { reason: 'undefined-variable', message: `${e.message}: it has no value when this step runs` })
    }
    throw e
  }

  const unsubscribe = subscribe(ctx.session, exchange, record)
  // The write happens inside the exchange's run: one timer and one abort listener bound both.
  const outcome = await ctx.session.run(exchange, step.timeoutMs, ctx.signal, write)
  unsubscribe()
  if (outcome.kind === 'write-failed' || outcome.kind === 'write-stalled') {
    const e = outcome.kind === 'write-failed' ? outcome.error : undefined
    if (e instanceof ResetFailed) return finish('errored', { reason: 'reset-failed', message: `hard reset failed: ${e.message}` })
    if (outcome.kind === 'write-stalled') {
      return finish('errored', { reason: 'write-failed', message: `the write to the device did not complete within ${step.timeoutMs} ms (flow control holding it?)` })
    }
    return finish('errored', { reason: 'write-failed', message: `could not write to the device: ${e!.message}` })
  }
  result.matched = exchange.matched
  for (const [name, value] of Object.entries(exchange.captures)) {
    // A capture into a variable listed in `secrets` is a secret from now on, in every output.
    if (ctx.vars.isSecret(name)) {
      ctx.redactor.add(value)
      ctx.masker.addSecret({ name, value })
    }
    // The variable keeps the real value; the result, which reports print, gets it masked.
    result.captures[name] = ctx.redactor.text(value)
    ctx.vars.set(name, value)
  }
  const waitingFor = exchange.waitingFor?.label

  switch (outcome.kind) {
    case 'settled':
      if (exchange.status === 'passed') return finish('passed')
      // The device answered but not as expected: a failure. It restarted or lost the link: no verdict, an error.
      return finish(exchange.failure!.reason === 'unexpected-result' ? 'failed' : 'errored', exchangeFailure(exchange.failure!, waitingFor, ctx.redactor))
    case 'timeout':
      return finish('errored', {
        reason: 'timeout',
        message: waitingFor
          ? `timed out after ${step.timeoutMs} ms waiting for \`${waitingFor}\``
          : `timed out after ${step.timeoutMs} ms waiting for the command to finish (OK or another final result)`,
        ...(waitingFor ? { waitingFor } : {}),
      })
    case 'aborted':
      return finish('errored', { ...ctx.abortReason(), ...(waitingFor ? { waitingFor } : {}) })
    case 'link-closed':
      return finish('errored', {
        reason: 'link-closed',
        message: `the link to the device closed${outcome.error ? ` (${outcome.error.message})` : ''}`,
        ...(waitingFor ? { waitingFor } : {}),
      })
  }
}

/**
 * A step's matchers and their labels (masked). A template with no value yet (a capture that did not
 * happen) shows as written in the label, and the error is kept for the step to report.
 */
function buildMatchers(step: Step, ctx: Pick<StepContext, 'vars' | 'redactor'>): { matchers: Matcher[]; labels: string[]; undefinedVariable?: UndefinedVariableError } {
  if (step.kind === 'sleep') return { matchers: [], labels: [] }
  if (step.kind === 'reset') {
    const matchers = resetMatchers(step.how)
    return { matchers, labels: matchers.map((m) => m.label) }
  }
  const matchers: Matcher[] = []
  const labels: string[] = []
  let undefinedVariable: UndefinedVariableError | undefined
  for (const e of step.expect) {
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

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve(false)
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(true)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
