import { LinkOpenError } from '../link/open-link.ts'
import type { OpenLink } from '../link/stream-link.ts'
import type { Scenario } from '../source/types.ts'
import type { VariableInputs } from '../source/variables.ts'
import type { EngineListener } from './events.ts'
import type { RunningPrerequisite } from './prerequisites.ts'
import { notRunResult } from './result.ts'
import type { NotRun, RunResult } from './result.ts'
import { runScenario } from './run-scenario.ts'

/** A device scenarios run on, one at a time: a board's port, or the simulator. */
export interface SuiteDevice {
  /** Shown before every line (`[/dev/ttyUSB0] `) when several devices run side by side. */
  name?: string
  /** What a scenario that never ran would have run on, for its report. */
  description: string
  /** What `scenario` runs on; throws a LinkOpenError when it cannot be had (a board not plugged in). */
  prepare(scenario: Scenario): Promise<PreparedDevice>
}

export interface PreparedDevice {
  description: string
  onSimulator: boolean
  /** Opens the link; throws a LinkOpenError with a message for people when it cannot. */
  open(): Promise<OpenedDevice>
}

export interface OpenedDevice {
  link: OpenLink
  variables: VariableInputs
  /** Start no prerequisite, for this reason (a replay talks to no server; `--no-prerequisites`). */
  skipPrerequisites?: string
  /** Listens to the run besides the reporter (a recorder); closed once the run is over. */
  extra?: { listener: EngineListener; close(): Promise<void> }
  /** See RunOptions.failureHint: the built-in simulator's "does not model" sentence. */
  failureHint?: (sent: string) => string | undefined
}

/** With `repeat`: which run of a scenario this is (1-based), of how many. */
export interface Repetition {
  index: number
  of: number
}

/** What a suite tells whoever shows it: a reporter for people and CI. `repeat` is given when scenarios run more than once. */
export interface SuiteReporter {
  /** A scenario is about to run on a device (before its port is opened). */
  announce(scenario: Scenario, device: { description: string; onSimulator: boolean }, prefix: string, repeat?: Repetition): void
  /** The port is open: the run's events go to `listener`, and `end` gets its result. */
  scenarioStarting(
    scenario: Scenario,
    device: { description: string; onSimulator: boolean },
    prefix: string,
    repeat?: Repetition,
  ): Promise<{ listener: EngineListener; end(result: RunResult): Promise<void> }>
  /** A scenario that does not run at all, with its result (every step skipped). */
  scenarioNotRun(scenario: Scenario, result: RunResult, notRun: NotRun): void
}

export interface SuiteOptions {
  /** One lane per device: scenarios go, one at a time per lane, to whichever lane is free. */
  devices: readonly SuiteDevice[]
  reporter: SuiteReporter
  /** The environment prerequisites get. */
  env: Readonly<Record<string, string | undefined>>
  /** First abort (Ctrl-C): the running steps stop, teardown runs; no new scenario starts. */
  signal?: AbortSignal
  /** Second abort: teardown is cut short and prerequisites are killed. */
  hardSignal?: AbortSignal
  /** Started prerequisites, while they run, for a caller that must kill them on its way out. */
  processes?: Set<RunningPrerequisite>
  /** Stop after the first scenario that does not pass; the rest are reported as not run. */
  bail?: boolean
  reset?: 'none' | 'soft' | 'hard'
  /** Every step timeout is multiplied by this (slow boards). */
  timeoutScale?: number
  /** Run each scenario this many times, one run after the other on the same device (default 1). */
  repeat?: number
}

/**
 * How one scenario of a suite ended (the worst of its runs with `repeat`). `over-budget`: it failed,
 * and only because answers came later than their `budget`: every answer was right.
 */
export type SuiteOutcome = RunResult['status'] | 'could-not-open' | 'over-budget'

export interface SuiteResult {
  /** In the order the scenarios were given; undefined for those never started (Ctrl-C, `--bail`). */
  outcomes: (SuiteOutcome | undefined)[]
  interrupted: boolean
}

/**
 * Runs scenarios on devices, one at a time per device and in parallel across devices, reporting
 * each as it goes. After Ctrl-C or a failure under `bail`, the scenarios not started are reported
 * as not run. Never throws for the user's or the device's failures; a programming error in one
 * lane is rethrown only after every lane has finished.
 */
export async function runSuite(scenarios: readonly Scenario[], options: SuiteOptions): Promise<SuiteResult> {
  const outcomes: (SuiteOutcome | undefined)[] = scenarios.map(() => undefined)
  const parallel = options.devices.length > 1
  let next = 0
  const stopping = () => options.signal?.aborted === true || (options.bail === true && outcomes.some((o) => o !== undefined && o !== 'passed'))

  const times = Math.max(1, options.repeat ?? 1)
  // The runs of one scenario stay on one lane, one after the other: their figures compare one device.
  const lane = async (device: SuiteDevice): Promise<void> => {
    while (next < scenarios.length && !stopping()) {
      const i = next++
      const prefix = parallel ? `[${device.name ?? device.description}] ` : ''
      for (let r = 1; r <= times; r++) {
        if (r > 1 && stopping()) {
          reportRunsNotRun(scenarios[i]!, { index: r, of: times }, options)
          break
        }
        const outcome = await runOne(scenarios[i]!, device, prefix, options, times > 1 ? { index: r, of: times } : undefined)
        outcomes[i] = worse(outcomes[i], outcome)
      }
    }
  }
  // allSettled: a lane that fails must not leave the others running unwatched.
  const settled = await Promise.allSettled(options.devices.map(lane))
  if (next < scenarios.length) {
    const notRun: NotRun = options.signal?.aborted
      ? { reason: 'interrupted', message: 'the run was interrupted' }
      : { reason: 'bail', message: '--bail: an earlier scenario did not pass' }
    const where = options.devices[0]?.description ?? 'no device'
    for (const rest of scenarios.slice(next)) {
      for (let r = 1; r <= times; r++) options.reporter.scenarioNotRun(rest, withRepeat(notRunResult(rest, where, notRun), times > 1 ? { index: r, of: times } : undefined), notRun)
    }
  }
  const crashed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (crashed) throw crashed.reason
  return { outcomes, interrupted: options.signal?.aborted === true }
}

/** The runs of a scenario left after Ctrl-C or `--bail` stopped its repetitions, as not run. */
function reportRunsNotRun(scenario: Scenario, from: Repetition, options: SuiteOptions): void {
  const notRun: NotRun = options.signal?.aborted
    ? { reason: 'interrupted', message: 'the run was interrupted' }
    : { reason: 'bail', message: '--bail: an earlier run did not pass' }
  const where = options.devices[0]?.description ?? 'no device'
  for (let r = from.index; r <= from.of; r++) options.reporter.scenarioNotRun(scenario, withRepeat(notRunResult(scenario, where, notRun), { index: r, of: from.of }), notRun)
}

function withRepeat(result: RunResult, repeat: Repetition | undefined): RunResult {
  return repeat ? { ...result, repeat } : result
}

/** Which of two outcomes of a scenario's runs it reports: as the exit codes rank them. */
const RANK: Record<SuiteOutcome, number> = { passed: 0, 'over-budget': 1, failed: 2, 'not-run': 3, 'could-not-open': 3, interrupted: 4 }
function worse(a: SuiteOutcome | undefined, b: SuiteOutcome): SuiteOutcome {
  return a !== undefined && RANK[a] >= RANK[b] ? a : b
}

/** A failed run whose failures are all answers that came too late (not optional ones): a slower device, not a wrong one. */
export function onlyBudgetsFailed(result: RunResult): boolean {
  if (result.status !== 'failed') return false
  let any = false
  for (const s of [...result.steps, ...result.teardown]) {
    if ((s.status !== 'failed' && s.status !== 'errored') || s.optional) continue
    if (s.failure?.reason !== 'over-budget') return false
    any = true
  }
  return any
}

/** One scenario on one device: opened, run, reported, closed again whatever happens. */
async function runOne(scenario: Scenario, device: SuiteDevice, prefix: string, options: SuiteOptions, repeat?: Repetition): Promise<SuiteOutcome> {
  const { reporter } = options
  let description = device.description
  let prepared: PreparedDevice
  let opened: OpenedDevice
  try {
    prepared = await device.prepare(scenario)
    description = prepared.description
    reporter.announce(scenario, prepared, prefix, repeat)
    opened = await prepared.open()
  } catch (e) {
    if (!(e instanceof LinkOpenError)) throw e
    const notRun: NotRun = { reason: 'link-error', message: e.message }
    reporter.scenarioNotRun(scenario, withRepeat(notRunResult(scenario, description, notRun), repeat), notRun)
    return 'could-not-open'
  }
  let result: RunResult
  let reporting
  // From here on the port is open: whatever fails, it is closed again.
  try {
    reporting = await reporter.scenarioStarting(scenario, { description: opened.link.description, onSimulator: prepared.onSimulator }, prefix, repeat)
    const { listener } = reporting
    const extra = opened.extra
    result = await runScenario(scenario, {
      link: opened.link,
      variables: opened.variables,
      env: options.env,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.hardSignal ? { hardSignal: options.hardSignal } : {}),
      ...(options.processes ? { processes: options.processes } : {}),
      onEvent: extra
        ? (event) => {
            listener(event)
            extra.listener(event)
          }
        : listener,
      ...(options.reset ? { reset: options.reset } : {}),
      ...(options.timeoutScale !== undefined ? { timeoutScale: options.timeoutScale } : {}),
      ...(opened.skipPrerequisites ? { skipPrerequisites: opened.skipPrerequisites } : {}),
      ...(opened.failureHint ? { failureHint: opened.failureHint } : {}),
    })
    if (repeat) result.repeat = repeat
  } finally {
    await opened.link.close()
    await opened.extra?.close()
  }
  // Progress finished, failure details, the summary line, and the report files rewritten.
  await reporting.end(result)
  return onlyBudgetsFailed(result) ? 'over-budget' : result.status
}

/**
 * `--shard i/n`: the scenarios whose place in path order is i modulo n, so that n CI jobs given the
 * same files run each scenario exactly once, however the shell ordered the arguments.
 */
export function shardOf<T extends { file: string }>(scenarios: readonly T[], shard: { index: number; count: number } | undefined): T[] {
  if (!shard) return [...scenarios]
  const ordered = [...scenarios].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  return ordered.filter((_, i) => i % shard.count === shard.index - 1)
}
