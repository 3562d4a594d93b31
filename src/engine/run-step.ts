import { Exchange } from '../protocol/exchange.ts'
import type { ExchangeFailure, ExchangeMode } from '../protocol/exchange.ts'
import type { InboxEntry } from '../protocol/inbox.ts'
import type { AtSession, RunOutcome } from '../protocol/session.ts'
import type { Step } from '../source/types.ts'
import { UndefinedVariableError } from '../source/template.ts'
import type { Variables } from '../source/variables.ts'
import { describeBytes, payloadBytes, toMatcher } from './expectations.ts'
import type { Redactor } from './redact.ts'
import type { StepFailure, StepResult, TranscriptLine } from './result.ts'

export interface StepContext {
  session: AtSession
  vars: Variables
  redactor: Redactor
  /** Milliseconds since the run started. */
  now(): number
  /** Aborted on Ctrl-C and when a prerequisite exits. */
  signal: AbortSignal
  /** Why `signal` was aborted, as a step failure. */
  abortReason(): StepFailure
}

const MAX_LINES = 200

class PromptMissing extends Error {
  readonly outcome: RunOutcome
  constructor(outcome: RunOutcome) {
    super('no prompt')
    this.outcome = outcome
  }
}

/**
 * Runs a step, again after a failure while its `retry` allows, and returns the last attempt's
 * result with the earlier failures attached.
 */
export async function runStepWithRetry(step: Step, ctx: StepContext, onRetry?: (attempt: number, failure: StepFailure) => void): Promise<StepResult> {
  const earlier: StepFailure[] = []
  const startedAt = ctx.now()
  for (let attempt = 1; ; attempt++) {
    const result = await runStep(step, ctx)
    const retriable = result.status === 'failed' || result.status === 'errored'
    const interrupted = result.failure?.reason === 'interrupted' || result.failure?.reason === 'prerequisite-exited'
    if (!retriable || interrupted || !step.retry || attempt > step.retry.times) {
      result.attempts = attempt
      if (earlier.length > 0) result.earlierFailures = earlier
      result.durationMs = ctx.now() - startedAt
      return result
    }
    earlier.push(result.failure!)
    onRetry?.(attempt + 1, result.failure!)
    if (await sleep(step.retry.delayMs, ctx.signal)) {
      const last = { ...result, attempts: attempt, earlierFailures: earlier.slice(0, -1), failure: ctx.abortReason(), status: 'errored' as const }
      last.durationMs = ctx.now() - startedAt
      return last
    }
  }
}

/** Runs one attempt of a step to its verdict. Never throws for anything the device or the user did. */
export async function runStep(step: Step, ctx: StepContext): Promise<StepResult> {
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
  if (ctx.signal.aborted) return finish('errored', ctx.abortReason())

  if (step.kind === 'sleep') {
    const aborted = await sleep(step.durationMs, ctx.signal)
    return aborted ? finish('errored', ctx.abortReason()) : finish('passed')
  }

  let exchange: Exchange
  let write: (() => Promise<void>) | undefined
  const record = (entry: InboxEntry) => {
    if (lines.length < MAX_LINES) lines.push({ at: entry.at, dir: 'rx', kind: entry.kind, text: ctx.redactor.text(entry.text) })
  }
  try {
    const matchers = step.expect.map((e) => toMatcher(e, ctx.vars, ctx.redactor))
    result.expected = matchers.map((m) => m.label)
    const mode: ExchangeMode = step.kind === 'send' ? 'command' : step.kind
    if (step.kind === 'send') {
      const command = ctx.vars.render(step.command)
      result.sent = ctx.redactor.text(command)
      write = async () => {
        lines.push({ at: ctx.now(), dir: 'tx', kind: 'command', text: result.sent! })
        await ctx.session.sendCommand(command)
      }
    } else if (step.kind === 'payload') {
      const bytes = payloadBytes(step.payload, ctx.vars)
      result.sent = describeBytes(bytes, ctx.redactor)
      write = async () => {
        // The device drops payload bytes that arrive before its `>` (reference §4): wait for it.
        const prompt = await ctx.session.waitForPrompt(step.timeoutMs, ctx.signal)
        if (prompt.kind !== 'settled') throw new PromptMissing(prompt)
        lines.push({ at: ctx.now(), dir: 'tx', kind: 'payload', text: result.sent! })
        await ctx.session.write(bytes)
      }
    }
    exchange = new Exchange({ mode, matchers, startSeq: ctx.session.mark, bootBannerExpected: !ctx.session.hasAnswered })
  } catch (e) {
    if (e instanceof UndefinedVariableError) {
      return finish('errored', { reason: 'undefined-variable', message: `${e.message}: it has no value when this step runs` })
    }
    throw e
  }

  const unsubscribe = subscribe(ctx.session, exchange, record)
  let outcome: RunOutcome
  try {
    if (write) await write()
    outcome = await ctx.session.run(exchange, step.timeoutMs, ctx.signal)
  } catch (e) {
    unsubscribe()
    if (e instanceof PromptMissing) {
      const o = e.outcome
      if (o.kind === 'aborted') return finish('errored', ctx.abortReason())
      if (o.kind === 'link-closed') return finish('errored', { reason: 'link-closed', message: 'the link to the device closed before its `>` prompt' })
      return finish('errored', {
        reason: 'timeout',
        message: `timed out after ${step.timeoutMs} ms waiting for the \`>\` prompt before writing the payload (did the step before send AT+WSSEND or AT+CIPSEND?)`,
        waitingFor: '>',
      })
    }
    return finish('errored', { reason: 'write-failed', message: `could not write to the device: ${(e as Error).message}` })
  }
  unsubscribe()
  result.matched = exchange.matched
  Object.assign(result.captures, exchange.captures)
  for (const [name, value] of Object.entries(exchange.captures)) ctx.vars.set(name, value)
  const waitingFor = exchange.waitingFor?.label

  switch (outcome.kind) {
    case 'settled':
      if (exchange.status === 'passed') return finish('passed')
      return finish('failed', exchangeFailure(exchange.failure!, waitingFor, ctx.redactor))
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

/** Records what the step saw: for `wait`, the older inbox entries it looked at too. */
function subscribe(session: AtSession, exchange: Exchange, record: (e: InboxEntry) => void): () => void {
  if (exchange.mode === 'wait') for (const e of session.received(0)) record(e)
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
