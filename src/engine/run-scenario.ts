import type { OpenLink } from '../link/stream-link.ts'
import { AtSession } from '../protocol/session.ts'
import { parseTemplate } from '../source/template.ts'
import type { Scenario, Step } from '../source/types.ts'
import { Variables } from '../source/variables.ts'
import type { VariableInputs } from '../source/variables.ts'
import type { EngineListener } from './events.ts'
import { startPrerequisite } from './prerequisites.ts'
import type { RunningPrerequisite } from './prerequisites.ts'
import { IoMasker } from '../bytes/io-masker.ts'
import { Redactor } from '../bytes/redact.ts'
import { skippedStep } from './result.ts'
import type { PrerequisiteResult, RunResult, StepFailure, StepResult } from './result.ts'
import { runStepWithRetry } from './run-step.ts'

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
}

/**
 * Runs a scenario to its result: prerequisites, steps, teardown, and prerequisites stopped in
 * reverse order. Always returns a RunResult; the user's and the device's failures are data.
 */
export async function runScenario(given: Scenario, options: RunOptions): Promise<RunResult> {
  const scenario = withReset(given, options.reset ?? given.device.reset)
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
  const userSignal = options.signal ?? new AbortController().signal
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
  const stepName = (s: Step) => {
    try {
      return redactor.text(vars.render(s.name))
    } catch {
      return s.name.source
    }
  }
  emit({
    type: 'run:start',
    scenario: result.scenario,
    target: result.target,
    prerequisites: scenario.prerequisites.map((p) => ({ index: p.index, name: redactor.text(vars.render(p.name)) })),
    steps: [...scenario.steps, ...scenario.teardown].map((s) => ({ phase: s.phase, index: s.index, name: stepName(s), span: s.span })),
  })

  const session = new AtSession(options.link, {
    onWrite: (bytes, at, secrets) => masker.tx(bytes, at, secrets),
    onRead: (bytes, at, data) => masker.rx(bytes, at, data),
  }, now)

  // Aborted when the user interrupts or a prerequisite dies: the running step stops with the reason.
  const stepAbort = new AbortController()
  let abortReason: StepFailure = { reason: 'interrupted', message: 'interrupted (Ctrl-C or SIGTERM)' }
  const onUserAbort = () => {
    abortReason = { reason: 'interrupted', message: 'interrupted (Ctrl-C or SIGTERM)' }
    stepAbort.abort()
  }
  if (userSignal.aborted) onUserAbort()
  else userSignal.addEventListener('abort', onUserAbort, { once: true })

  const livePrerequisites = options.processes ?? new Set<RunningPrerequisite>()
  const running: { process: RunningPrerequisite; result: PrerequisiteResult }[] = []
  const prereqResults: PrerequisiteResult[] = []
  let setupFailed = false
  let failed = false
  try {
    for (const p of scenario.prerequisites) {
      const name = redactor.text(vars.render(p.name))
      const command = p.run.map((t) => redactor.text(vars.render(t)))
      if (setupFailed || userSignal.aborted) {
        prereqResults.push({ index: p.index, name, command, status: 'skipped', outputTail: [], span: p.span })
        continue
      }
      if (options.skipPrerequisites) {
        const skipped: PrerequisiteResult = { index: p.index, name, command, status: 'skipped', message: `skipped: ${options.skipPrerequisites}`, outputTail: [], span: p.span }
        prereqResults.push(skipped)
        emit({ type: 'prerequisite:end', result: skipped })
        continue
      }
      emit({ type: 'prerequisite:start', index: p.index, name, command })
      const outcome = await startPrerequisite(p, vars, scenario.dir, options.env, redactor, userSignal)
      const pr: PrerequisiteResult = {
        index: p.index,
        name,
        command,
        status: outcome.ok ? 'ready' : 'failed',
        ...(outcome.running?.pid !== undefined ? { pid: outcome.running.pid } : {}),
        ...(outcome.ok ? { readyMs: Math.round(outcome.readyMs) } : { message: redactor.text(outcome.message) }),
        ...(!outcome.ok && outcome.hint ? { hint: redactor.text(outcome.hint) } : {}),
        ...(outcome.running?.exit?.code !== undefined ? { exitCode: outcome.running.exit.code } : {}),
        ...(outcome.running?.exit?.signal ? { signal: outcome.running.exit.signal } : {}),
        outputTail: redactor.lines(outcome.running?.tail.get() ?? []),
        span: p.span,
      }
      if (outcome.running) {
        running.push({ process: outcome.running, result: pr })
        livePrerequisites.add(outcome.running)
      }
      prereqResults.push(pr)
      emit({ type: 'prerequisite:end', result: pr })
      if (!outcome.ok) setupFailed = true
    }
    result.prerequisites = prereqResults

    // A prerequisite that exits while the steps run fails the running step and names itself.
    for (const { process: r } of running) {
      void r.whenExited().then(() => {
        if (r.wasStopped || stepAbort.signal.aborted) return
        const exit = r.exit ?? {}
        abortReason = {
          reason: 'prerequisite-exited',
          message: `prerequisite \`${r.name}\` ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`} while the scenario ran`,
          prerequisite: {
            name: r.name,
            ...(exit.code !== undefined ? { exitCode: exit.code } : {}),
            ...(exit.signal ? { signal: exit.signal } : {}),
            outputTail: redactor.lines(r.tail.get()),
          },
        }
        stepAbort.abort()
      })
    }

    const ctx = {
      session,
      vars,
      redactor,
      masker,
      now,
      signal: stepAbort.signal,
      abortReason: () => abortReason,
      linkDescription: options.link.description,
      ...(options.link.setLines ? { setLines: options.link.setLines.bind(options.link) } : {}),
    }
    // Teardown runs even after Ctrl-C; only a second one (hardSignal) cuts it short.
    const teardownCtx = () => ({
      ...ctx,
      signal: options.hardSignal ?? new AbortController().signal,
      abortReason: () => ({ reason: 'interrupted' as const, message: 'interrupted again during teardown' }),
    })
    const runList = async (steps: Step[], into: StepResult[], always: boolean) => {
      for (const step of steps) {
        const skip = setupFailed || (!always && (failed || stepAbort.signal.aborted)) || (always && options.hardSignal?.aborted)
        if (skip) {
          const skipped = skippedStep(step, stepName(step), now())
          into.push(skipped)
          emit({ type: 'step:end', result: skipped })
          continue
        }
        // step:start comes from the step itself, once its expectations are rendered (labels included).
        const stepResult = await runStepWithRetry(step, always ? teardownCtx() : ctx, {
          onStart: (expected) =>
            emit({
              type: 'step:start',
              phase: step.phase,
              index: step.index,
              name: stepName(step),
              kind: step.kind,
              expected,
              waitMs: step.kind === 'sleep' ? step.durationMs : step.timeoutMs,
            }),
          onRetry: (attempt, failure) => emit({ type: 'step:retry', phase: step.phase, index: step.index, attempt, failure }),
        })
        into.push(stepResult)
        emit({ type: 'step:end', result: stepResult })
        if ((stepResult.status === 'failed' || stepResult.status === 'errored') && !step.optional) failed = true
      }
    }

    await runList(scenario.steps, result.steps, false)
    emit({ type: 'teardown:start' })
    await runList(scenario.teardown, result.teardown, true)
  } finally {
    // Whatever happened above, prerequisites are stopped in reverse order; a second Ctrl-C kills them at once.
    const kill = () => running.forEach((r) => r.process.kill())
    options.hardSignal?.addEventListener('abort', kill, { once: true })
    for (const { process: r, result: pr } of [...running].reverse()) {
      if (options.hardSignal?.aborted) r.kill()
      else await r.stop()
      await r.whenExited()
      livePrerequisites.delete(r)
      if (pr.status === 'ready') {
        if (r.exit?.code !== undefined) pr.exitCode = r.exit.code
        if (r.exit?.signal) pr.signal = r.exit.signal
        pr.outputTail = redactor.lines(r.tail.get())
      }
    }
    options.hardSignal?.removeEventListener('abort', kill)
    userSignal.removeEventListener('abort', onUserAbort)
  }
  emit({ type: 'prerequisites:stopped', results: prereqResults })

  result.status = userSignal.aborted ? 'interrupted' : setupFailed ? 'not-run' : failed ? 'failed' : 'passed'
  result.durationMs = now()
  emit({ type: 'run:end', result })
  return result
}

const RESET_TIMEOUT_MS = 10_000

/** The scenario with its reset as the first step, so that it is reported, timed and can fail like one. */
function withReset(scenario: Scenario, how: 'none' | 'soft' | 'hard'): Scenario {
  if (how === 'none') return scenario
  const span = scenario.device.resetSpan
  const label = how === 'soft' ? 'Reset the device (AT+RST)' : 'Reset the device (DTR/RTS)'
  const reset: Step = {
    kind: 'reset',
    how,
    phase: 'steps',
    index: 0,
    name: { source: label, parsed: parseTemplate(label), span },
    span,
    timeoutMs: Math.max(RESET_TIMEOUT_MS, scenario.defaultTimeoutMs),
    optional: false,
  }
  return { ...scenario, steps: [reset, ...scenario.steps.map((s) => ({ ...s, index: s.index + 1 }))] }
}
