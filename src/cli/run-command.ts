import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { resolve as resolvePath } from 'node:path'
import type { SourceLookup } from '../diagnostics/code-frame.ts'
import type { RunResult } from '../engine/result.ts'
import type { RunningPrerequisite } from '../engine/prerequisites.ts'
import { describeTarget, LinkOpenError, openLink, targetFromPort } from '../link/open-link.ts'
import { resolvePort } from '../link/ports.ts'
import type { LinkTarget } from '../link/open-link.ts'
import type { TranscriptFile } from '../report/transcript.ts'
import type { Recorder } from '../replay/recorder.ts'
import type { Scenario } from '../source/types.ts'
import type { VariableInputs } from '../source/variables.ts'
import type { CliOptions } from './args.ts'
import { checkProfiles } from './check-profiles.ts'
import { ExitCode } from './exit-codes.ts'
import { firstLanAddress } from './host-ip.ts'
import type { CliIo } from './main.ts'

const DEFAULT_BAUD = 115200

/** Runs the scenarios, one at a time per device (in parallel across devices), and maps their results to an exit code. */
export async function runAll(scenarios: Scenario[], options: CliOptions, io: CliIo, color: boolean, sources: SourceLookup): Promise<number> {
  const [{ runScenario }, { RunReporting, ReportSetupError }] = await Promise.all([
    import('../engine/run-scenario.ts'),
    import('../report/run-reporting.ts'),
  ])

  // The simulator's device profile (--profile beats the scenario's simulator.profile) is checked
  // before anything runs, and its mistakes are shown at file:line:col like a scenario's.
  const profileOf = (scenario: Scenario) => (options.profile !== undefined ? resolvePath(io.cwd, options.profile) : scenario.simulator.profile)
  if (options.ports.length === 0 && !io.env.AT_SCENARIO_PORT) {
    const profiles = scenarios.map(profileOf).filter((p): p is string => p !== undefined)
    if (!(await checkProfiles(profiles, io, color))) return ExitCode.BadInput
  }

  // Off a terminal and in CI: a plain line per step, and no ANSI codes unless --color asks for them.
  // A terminal that reports no width would garble listr2's live view: plain there too.
  const plain = !io.stdout.isTTY || isCi(io.env) || !io.stdout.columns || lanesOf(options.ports, io.env.AT_SCENARIO_PORT).length > 1
  let reporting
  try {
    reporting = RunReporting.start({
      stdout: io.stdout,
      stderr: io.stderr,
      cwd: io.cwd,
      plain,
      color: plain ? options.color === true : color,
      sources,
      outputDir: options.outputDir ?? 'reports',
      formats: options.reporters ?? [],
      version: packageVersion(),
      hostname: hostname(),
    })
  } catch (e) {
    if (!(e instanceof ReportSetupError)) throw e
    io.stderr.write(`at-scenario: ${e.message}\n`)
    return ExitCode.BadInput
  }

  // --record: the file is opened before anything runs, so that a path that cannot be written is bad input.
  let recordSink: TranscriptFile | undefined
  const replaying = [...options.ports, io.env.AT_SCENARIO_PORT ?? ''].filter((p) => p.startsWith('replay:')).map((p) => resolvePath(io.cwd, p.slice('replay:'.length)))
  if (options.record !== undefined && replaying.includes(resolvePath(io.cwd, options.record))) {
    io.stderr.write(`at-scenario: --record ${options.record} would overwrite the recording the run replays; record to another file\n`)
    return ExitCode.BadInput
  }
  if (options.record !== undefined) {
    const [{ TranscriptFile }, { describeFsError }] = await Promise.all([import('../report/transcript.ts'), import('../diagnostics/fs-error.ts')])
    try {
      recordSink = new TranscriptFile(resolvePath(io.cwd, options.record))
    } catch (e) {
      io.stderr.write(`at-scenario: cannot write the recording ${options.record}: ${describeFsError(e)}\n`)
      return ExitCode.BadInput
    }
  }

  // Ctrl-C once: stop the step, run teardown, stop prerequisites. Twice: stop at once.
  const soft = new AbortController()
  const hard = new AbortController()
  const live = new Set<RunningPrerequisite>()
  const onSignal = () => {
    if (!soft.signal.aborted) {
      io.stderr.write('\nInterrupted: running teardown and stopping prerequisites (Ctrl-C again to stop at once)\n')
      soft.abort()
    } else {
      hard.abort()
      for (const p of live) p.kill()
    }
  }
  const killAll = () => live.forEach((p) => p.kill())
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('exit', killAll)

  if (options.shard) {
    const share = shardOf(scenarios, options.shard)
    // More shards than scenarios (a CI matrix wider than the files) leaves some shares empty: that
    // is the matrix's shape, not a mistake, so it passes, but says so. (Tags that select nothing
    // were refused before this.)
    const empty = share.length === 0 ? '; nothing to run in this shard' : ''
    io.stdout.write(`shard ${options.shard.index}/${options.shard.count}: ${share.length} of ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'}${empty}\n`)
    scenarios = share
  }

  // One lane per device: scenarios go, one at a time per lane, to whichever lane is free.
  const lanes = lanesOf(options.ports, io.env.AT_SCENARIO_PORT)
  const parallel = lanes.length > 1
  let exit: number = ExitCode.Passed
  let next = 0
  const stopping = () => soft.signal.aborted || (options.bail && exit !== ExitCode.Passed)

  /** Runs one scenario on a lane's device (or the simulator) and reports it. */
  const runOne = async (scenario: Scenario, port: string | undefined): Promise<void> => {
    const prefix = parallel ? `[${port}] ` : ''
    const profile = profileOf(scenario)
    let target: LinkTarget = profile ? { kind: 'simulator', profile } : { kind: 'simulator' }
    let link
    try {
      if (port) target = targetFromPort(await resolvePort(port), options.baud ?? scenario.device.baudRate ?? DEFAULT_BAUD, options.line, options.replaySpeed)
      if (target.kind === 'replay') target = { ...target, path: resolvePath(io.cwd, target.path) }
      reporting.announce(scenario, { description: describeTarget(target), onSimulator: target.kind === 'simulator' }, prefix)
      link = await openLink(target)
    } catch (e) {
      if (!(e instanceof LinkOpenError)) throw e
      reporting.scenarioNotRun(scenario, describeTarget(target), { reason: 'link-error', message: e.message })
      exit = Math.max(exit, ExitCode.CouldNotRun)
      return
    }
    let result: RunResult
    let recorder: Recorder | undefined
    let reporter
    // From here on the port is open: whatever fails, it is closed again (finally).
    try {
      reporter = await reporting.scenarioStarting(scenario, { description: link.description, onSimulator: target.kind === 'simulator' }, prefix)
      const hostIp = target.kind === 'simulator' ? '127.0.0.1' : (firstLanAddress() ?? '127.0.0.1')
      let variables: VariableInputs = { cliVars: options.vars, env: io.env, hostIp, onSimulator: target.kind === 'simulator' }
      // Record and replay (src/replay): a replayed device brings the recorded run's variables; --record listens to the events.
      if (target.kind === 'replay' || recordSink) {
        const { createRecorder, replayVariables } = await import('../replay/run-setup.ts')
        variables = replayVariables(link, scenario, variables)
        if (recordSink) recorder = createRecorder(recordSink, scenario, variables, target, port)
      }
      const skipPrerequisites = options.noPrerequisites ? '--no-prerequisites' : target.kind === 'replay' ? 'the device is a replay of a recording' : undefined
      const listener = reporter.listener
      const rec = recorder
      result = await runScenario(scenario, {
        link,
        variables,
        env: io.env,
        signal: soft.signal,
        hardSignal: hard.signal,
        processes: live,
        onEvent: rec
          ? (event) => {
              listener(event)
              rec.listener(event)
            }
          : listener,
        ...(options.reset ? { reset: options.reset } : {}),
        ...(skipPrerequisites ? { skipPrerequisites } : {}),
      })
    } finally {
      await link.close()
      await recorder?.close()
    }
    // Progress finished, failure details, the summary line, and the report files rewritten.
    await reporter.end(result)
    if (recorder && recordSink) {
      io.stdout.write(recordSink.error ? `The recording ${options.record} is incomplete: ${recordSink.error.message}\n` : `Recorded: ${options.record}\n`)
    }
    exit = Math.max(exit, exitCodeOf(result))
  }

  const lane = async (port: string | undefined): Promise<void> => {
    while (next < scenarios.length && !stopping()) await runOne(scenarios[next++]!, port)
  }

  try {
    // allSettled: a lane that fails must not leave the others running unwatched.
    const settled = await Promise.allSettled(lanes.map(lane))
    // The scenarios left after Ctrl-C or --bail are still in the reports, as not run.
    if (next < scenarios.length) {
      const notRun = soft.signal.aborted
        ? { reason: 'interrupted' as const, message: 'the run was interrupted' }
        : { reason: 'bail' as const, message: '--bail: an earlier scenario did not pass' }
      for (const rest of scenarios.slice(next)) reporting.scenarioNotRun(rest, lanes[0] ?? describeTarget({ kind: 'simulator' }), notRun)
    }
    const crashed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (crashed) throw crashed.reason
  } finally {
    // Still under the signal handlers: a Ctrl-C now must not cut the last report files short.
    reporting.finish()
    await recordSink?.close()
    // Whatever happened, no prerequisite outlives the run.
    killAll()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('exit', killAll)
  }
  return soft.signal.aborted ? ExitCode.Interrupted : exit
}

/**
 * The devices to run on: every --port, else the comma-separated $AT_SCENARIO_PORT, else one lane
 * on the simulator (undefined).
 */
export function lanesOf(ports: readonly string[], fromEnv: string | undefined): (string | undefined)[] {
  if (ports.length > 0) return [...ports]
  const env = (fromEnv ?? '').split(',').map((p) => p.trim()).filter(Boolean)
  return env.length > 0 ? env : [undefined]
}

/**
 * --shard i/n: the scenarios whose place in path order is i modulo n, so that n CI jobs given the
 * same files run each scenario exactly once, however the shell ordered the arguments.
 */
export function shardOf<T extends { file: string }>(scenarios: readonly T[], shard: { index: number; count: number } | undefined): T[] {
  if (!shard) return [...scenarios]
  const ordered = [...scenarios].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  return ordered.filter((_, i) => i % shard.count === shard.index - 1)
}

/** CI=true (GitHub Actions, GitLab, most others) but not CI=false or CI=0. */
function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  return !!env.CI && env.CI !== 'false' && env.CI !== '0'
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

function exitCodeOf(result: RunResult): number {
  switch (result.status) {
    case 'passed':
      return ExitCode.Passed
    case 'failed':
      return ExitCode.Failed
    case 'not-run':
      return ExitCode.CouldNotRun
    case 'interrupted':
      return ExitCode.Interrupted
  }
}
