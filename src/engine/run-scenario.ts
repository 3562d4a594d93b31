import { IoMasker } from '../bytes/io-masker.ts'
import { quoteInline } from '../bytes/quote.ts'
import { Redactor } from '../bytes/redact.ts'
import type { OpenLink } from '../link/stream-link.ts'
import { AtSession } from '../protocol/session.ts'
import { parseTemplate } from '../source/template.ts'
import type { Scenario, Step } from '../source/types.ts'
import { Variables } from '../source/variables.ts'
import type { VariableInputs } from '../source/variables.ts'
import type { EngineListener } from './events.ts'
import { ReadClock } from './latency.ts'
import { PortClaims, startPrerequisite } from './prerequisites.ts'
import type { RunningPrerequisite } from './prerequisites.ts'
import { skippedStep } from './result.ts'
import type { PrerequisiteResult, RunResult, StepFailure, StepResult } from './result.ts'
import { runStepWithRetry, stepDisplayName } from './run-step.ts'
import type { StepContext } from './run-step.ts'
import { StepList } from './step-list.ts'

export interface RunOptions {
  link: OpenLink
  variables: VariableInputs
  /** The environment prerequisites get. */
  env: Readonly<Record<string, string | undefined>>
  /** First abort (Ctrl-C): the running step stops, teardown runs, prerequisites are stopped. */
  signal?: AbortSignal
  /** Second abort: teardown is cut short and prerequisites are killed at once. */
  hardSignal?: AbortSignal
  onEvent?: EngineListener
  /** Reset the device before the first step: `soft` (AT+RST) or `hard` (DTR/RTS). Default: the scenario's `device.reset`. */
  reset?: 'none' | 'soft' | 'hard'
  /** Started prerequisites are added here while they run, so the caller can kill them on its way out. */
  processes?: Set<RunningPrerequisite>
  /**
   * Start no prerequisite; each is reported skipped with this reason (`--no-prerequisites`; a
   * replayed device talks to no server).
   */
  skipPrerequisites?: string
  /** `--timeout-scale`: every step timeout is multiplied by this (slow boards). */
  timeoutScale?: number
  /**
   * The `ready.port`s taken by the prerequisites running now, shared by the scenarios of a suite
   * that run side by side (runSuite gives one); without it, only this run's own are known.
   */
  portClaims?: PortClaims
  /**
   * A sentence the target adds to the failure of a `send` step, given the command sent (masked):
   * the built-in simulator names a command it does not model. Injected, so that the engine knows
   * no target.
   */
  failureHint?: (sent: string) => string | undefined
}

const INTERRUPTED: StepFailure = { reason: 'interrupted', message: 'interrupted (Ctrl-C or SIGTERM)' }

/** One run of a scenario: its values, its device session, its outputs and how it is stopped. */
interface Run {
  scenario: Scenario
  options: RunOptions
  vars: Variables
  redactor: Redactor
  emit: EngineListener
  now(): number
  userSignal: AbortSignal
  /** Aborted when the user interrupts or a prerequisite dies: the running step stops with `abortReason`. */
  stepAbort: AbortController
  abortReason: StepFailure
  ctx: StepContext
  /** Masked names, with the source as the fallback when a template cannot be rendered yet. */
  stepName(step: Step): string
}

/** A prerequisite that was started, and its result (completed when it is stopped). */
interface Started {
  process: RunningPrerequisite
  result: PrerequisiteResult
}

/**
 * Runs a scenario to its result: prerequisites, steps, teardown, and prerequisites stopped in
 * reverse order. Always returns a RunResult; the user's and the device's failures are data.
 */
export async function runScenario(given: Scenario, options: RunOptions): Promise<RunResult> {
  const run = prepareRun(withReset(given, options.reset ?? given.device.reset, options.link.hardReset), options)
  const { scenario, redactor, vars, emit } = run
  const result: RunResult = {
    scenario: {
      name: redactor.text(vars.render(scenario.name)),
      file: scenario.file,
      ...(scenario.doc ? { doc: scenario.doc } : {}),
      ...(scenario.description ? { description: scenario.description } : {}),
    },
    target: options.link.description,
    status: 'passed',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    prerequisites: [],
    steps: [],
    teardown: [],
  }
  emit({
    type: 'run:start',
    scenario: result.scenario,
    target: result.target,
    prerequisites: scenario.prerequisites.map((p) => ({ index: p.index, name: redactor.text(vars.render(p.name)) })),
    steps: [...scenario.steps, ...scenario.teardown].map((s) => ({ phase: s.phase, index: s.index, name: run.stepName(s), span: s.span })),
  })
  // The server's banner came before the device's first byte and is not the device's: said, not framed.
  if (options.link.banner) emit({ type: 'note', text: `banner of the serial server (before the device's bytes; not given to the steps): ${quoteInline(options.link.banner)}` })

  const onUserAbort = () => {
    run.abortReason = INTERRUPTED
    run.stepAbort.abort()
  }
  if (run.userSignal.aborted) onUserAbort()
  else run.userSignal.addEventListener('abort', onUserAbort, { once: true })

  const started: Started[] = []
  let setupFailed = false
  let failed = false
  try {
    setupFailed = !(await startPrerequisites(run, started, result.prerequisites))
    watchPrerequisites(run, started)
    const steps = await runSteps(run, scenario.steps, { setupFailed, always: false })
    result.steps = steps.results
    failed = steps.failed
    emit({ type: 'teardown:start' })
    // Teardown undoes what the steps did: it runs whenever one of them ran, also after a failure or Ctrl-C.
    result.teardown = (await runSteps(run, scenario.teardown, { setupFailed: setupFailed || !steps.anyRan, always: true })).results
  } finally {
    await stopPrerequisites(run, started)
    run.userSignal.removeEventListener('abort', onUserAbort)
  }
  emit({ type: 'prerequisites:stopped', results: result.prerequisites })

  result.status = run.userSignal.aborted ? 'interrupted' : setupFailed ? 'not-run' : failed ? 'failed' : 'passed'
  result.durationMs = run.now()
  emit({ type: 'run:end', result })
  return result
}

function prepareRun(scenario: Scenario, options: RunOptions): Run {
  const listener: EngineListener = options.onEvent ?? (() => {})
  const started = performance.now()
  const now = () => performance.now() - started
  const vars = new Variables(scenario, options.variables)
  const redactor = new Redactor(vars.secretValues())
  // Listeners never see a secret's bytes: `io` events come masked, in the order the bytes crossed,
  // and whatever the masker still holds goes out before any other event.
  const masker = new IoMasker(vars.namedSecrets(), (io) => listener({ type: 'io', ...io }))
  const emit: EngineListener = (event) => {
    masker.flush()
    listener(event)
  }
  const reads = new ReadClock()
  const session = new AtSession(
    options.link,
    {
      onWrite: (bytes, at, secrets) => masker.tx(bytes, at, secrets),
      onRead: (bytes, at, data) => {
        reads.read(at)
        masker.rx(bytes, at, data)
      },
    },
    now,
  )
  const stepAbort = new AbortController()
  const run: Run = {
    scenario,
    options,
    vars,
    redactor,
    emit,
    now,
    userSignal: options.signal ?? new AbortController().signal,
    stepAbort,
    abortReason: INTERRUPTED,
    ctx: {
      session,
      vars,
      redactor,
      masker,
      reads,
      now,
      signal: stepAbort.signal,
      abortReason: () => run.abortReason,
      ...(options.timeoutScale !== undefined ? { timeoutScale: options.timeoutScale } : {}),
      note: (text) => emit({ type: 'note', text }),
      linkDescription: options.link.description,
      ...(options.link.setLines ? { setLines: options.link.setLines.bind(options.link) } : {}),
      ...(options.link.hardReset ? { hardReset: options.link.hardReset } : {}),
    },
    stepName: (s) => {
      try {
        return stepDisplayName(s, redactor.text(vars.render(s.name)))
      } catch {
        return stepDisplayName(s, s.name.source)
      }
    },
  }
  return run
}

/**
 * Starts the prerequisites in order, each ready before the next; after one fails, or on Ctrl-C, the
 * rest are skipped. Returns whether all that should run got ready.
 */
async function startPrerequisites(run: Run, started: Started[], results: PrerequisiteResult[]): Promise<boolean> {
  const { scenario, options, vars, redactor, emit } = run
  let ok = true
  const ports = { claims: options.portClaims ?? new PortClaims(), scenario: scenario.file }
  for (const p of scenario.prerequisites) {
    const name = redactor.text(vars.render(p.name))
    const command = p.run.map((t) => redactor.text(vars.render(t)))
    const base = { index: p.index, name, command, outputTail: [] as string[], span: p.span }
    if (!ok || run.userSignal.aborted) {
      results.push({ ...base, status: 'skipped' })
      continue
    }
    if (options.skipPrerequisites) {
      const skipped: PrerequisiteResult = { ...base, status: 'skipped', message: `skipped: ${options.skipPrerequisites}` }
      results.push(skipped)
      emit({ type: 'prerequisite:end', result: skipped })
      continue
    }
    emit({ type: 'prerequisite:start', index: p.index, name, command })
    const outcome = await startPrerequisite(p, vars, scenario.dir, options.env, redactor, run.userSignal, ports)
    const exit = outcome.running?.exit
    const pr: PrerequisiteResult = {
      ...base,
      status: outcome.ok ? 'ready' : 'failed',
      ...(outcome.running?.pid !== undefined ? { pid: outcome.running.pid } : {}),
      ...(outcome.ok ? { readyMs: Math.round(outcome.readyMs) } : { message: redactor.text(outcome.message) }),
      ...(!outcome.ok && outcome.hint ? { hint: redactor.text(outcome.hint) } : {}),
      ...(exit?.code !== undefined ? { exitCode: exit.code } : {}),
      ...(exit?.signal ? { signal: exit.signal } : {}),
      outputTail: redactor.lines(outcome.running?.tail.get() ?? []),
    }
    if (outcome.running) {
      started.push({ process: outcome.running, result: pr })
      options.processes?.add(outcome.running)
    }
    results.push(pr)
    emit({ type: 'prerequisite:end', result: pr })
    if (!outcome.ok) ok = false
  }
  return ok
}

/** A prerequisite that exits while the steps run fails the running step and names itself. */
function watchPrerequisites(run: Run, started: readonly Started[]): void {
  for (const { process: r } of started) {
    void r.whenExited().then(() => {
      if (r.wasStopped || run.stepAbort.signal.aborted) return
      const exit = r.exit ?? {}
      run.abortReason = {
        reason: 'prerequisite-exited',
        message: `prerequisite \`${r.name}\` ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`} while the scenario ran`,
        prerequisite: {
          name: r.name,
          ...(exit.code !== undefined ? { exitCode: exit.code } : {}),
          ...(exit.signal ? { signal: exit.signal } : {}),
          outputTail: run.redactor.lines(r.tail.get()),
        },
      }
      run.stepAbort.abort()
    })
  }
}

/**
 * Runs a list of steps. `steps` stop at the first failure (but optional ones) and on Ctrl-C;
 * `always` (teardown) goes on through both, and only a second Ctrl-C cuts it short.
 */
async function runSteps(run: Run, steps: readonly Step[], how: { setupFailed: boolean; always: boolean }): Promise<{ results: StepResult[]; failed: boolean; anyRan: boolean }> {
  const { emit, options } = run
  // Passed and skipped steps are kept compact: a long soak must not hold every line it exchanged.
  const list = new StepList(steps)
  const results = list.results
  let failed = false
  let anyRan = false
  const ctx: StepContext = how.always
    ? { ...run.ctx, signal: options.hardSignal ?? new AbortController().signal, abortReason: () => ({ reason: 'interrupted', message: 'interrupted again during teardown' }) }
    : run.ctx
  for (const step of steps) {
    const skip = how.setupFailed || (how.always ? options.hardSignal?.aborted === true : failed || run.stepAbort.signal.aborted)
    if (skip) {
      const skipped = skippedStep(step, run.stepName(step), run.now())
      emit({ type: 'step:end', result: skipped })
      list.add(skipped)
      continue
    }
    anyRan = true
    // step:start comes from the step itself, once its expectations are rendered (labels included).
    const result = await runStepWithRetry(step, ctx, {
      onStart: (expected, waitMs) => emit({ type: 'step:start', phase: step.phase, index: step.index, name: run.stepName(step), kind: step.kind, expected, waitMs }),
      onRetry: (attempt, failure) => emit({ type: 'step:retry', phase: step.phase, index: step.index, attempt, failure }),
    })
    const hint = result.failure && result.kind === 'send' && result.sent !== undefined ? options.failureHint?.(result.sent) : undefined
    if (hint && result.failure) result.failure = { ...result.failure, message: `${result.failure.message}; ${hint}` }
    // Listeners get the full result; the run keeps what the reports need.
    emit({ type: 'step:end', result })
    list.add(result)
    if ((result.status === 'failed' || result.status === 'errored') && !step.optional) failed = true
  }
  return { results, failed, anyRan }
}

/** Whatever happened, prerequisites are stopped in reverse order; a second Ctrl-C kills them at once. */
async function stopPrerequisites(run: Run, started: readonly Started[]): Promise<void> {
  const { hardSignal, processes } = run.options
  const kill = () => started.forEach((r) => r.process.kill())
  hardSignal?.addEventListener('abort', kill, { once: true })
  for (const { process: r, result: pr } of [...started].reverse()) {
    if (hardSignal?.aborted) r.kill()
    else await r.stop()
    await r.letGo()
    r.stopped()
    processes?.delete(r)
    if (pr.status === 'ready') {
      if (r.exit?.code !== undefined) pr.exitCode = r.exit.code
      if (r.exit?.signal) pr.signal = r.exit.signal
      pr.outputTail = run.redactor.lines(r.tail.get())
    }
    if (r.escaped.length > 0) pr.escaped = r.escaped.map((e) => ({ ...e, command: run.redactor.text(e.command) }))
  }
  hardSignal?.removeEventListener('abort', kill)
}

const RESET_TIMEOUT_MS = 10_000

/**
 * The scenario with its reset as the first step, so that it is reported, timed and can fail like one.
 * A link with a reset of its own (LAVA's command) does the hard reset that way, and the step may
 * wait for that command on top of the wait for `ready`.
 */
function withReset(scenario: Scenario, how: 'none' | 'soft' | 'hard', labReset?: OpenLink['hardReset']): Scenario {
  if (how === 'none') return scenario
  const span = scenario.device.resetSpan
  const hard = labReset && how === 'hard' ? labReset : undefined
  const label = how === 'soft' ? 'Reset the device (AT+RST)' : `Reset the device (${hard?.label ?? 'DTR/RTS'})`
  const reset: Step = {
    kind: 'reset',
    how,
    phase: 'steps',
    index: 0,
    name: { source: label, parsed: parseTemplate(label), span },
    span,
    timeoutMs: Math.max(RESET_TIMEOUT_MS, scenario.defaultTimeoutMs) + (hard?.timeoutMs ?? 0),
    absent: [],
    optional: false,
  }
  return { ...scenario, steps: [reset, ...scenario.steps.map((s) => ({ ...s, index: s.index + 1 }))] }
}
