import { resolve as resolvePath } from 'node:path'
import type { SourceLookup } from '../diagnostics/code-frame.ts'
import type { SuiteResult } from '../engine/run-suite.ts'
import type { Scenario } from '../source/types.ts'
import type { CliOptions } from './args.ts'
import { checkProfiles } from './check-profiles.ts'
import { ExitCode, exitCodeOf, worstOf } from './exit-codes.ts'
import { listenForInterrupts } from './interrupts.ts'
import type { CliIo } from './main.ts'
import { openRunOutputs } from './run-outputs.ts'
import { describeWriteError } from '../report/report-files.ts'

/** `at-scenario run`: the command line's settings to a suite run (src/engine/run-suite.ts), and its result to an exit code. */
export async function runAll(scenarios: Scenario[], options: CliOptions, io: CliIo, color: boolean, sources: SourceLookup): Promise<number> {
  const [{ runSuite, shardOf }, { portDevice }, { Leases }] = await Promise.all([import('../engine/run-suite.ts'), import('../targets/devices.ts'), import('../targets/leases.ts')])
  const lanes = lanesOf(options.ports, io.env.AT_SCENARIO_PORT)
  const profile = options.profile !== undefined ? resolvePath(io.cwd, options.profile) : undefined
  // The simulator's device profiles are checked before anything runs, their mistakes at file:line:col.
  if (lanes.includes(undefined) && !(await checkProfiles(scenarios.flatMap((s) => profile ?? s.simulator.profile ?? []), io, color))) return ExitCode.BadInput
  const outputs = await openRunOutputs(options, io, lanes.length, color, sources)
  if ('error' in outputs) {
    io.stderr.write(`at-scenario: ${outputs.error}; nothing was run\n`)
    return outputs.exitCode
  }
  if (options.shard) {
    const share = shardOf(scenarios, options.shard)
    // More shards than scenarios leaves some shares empty: the matrix's shape, not a mistake, so it passes, but says so.
    const empty = share.length === 0 ? '; nothing to run in this shard' : ''
    io.stdout.write(`shard ${options.shard.index}/${options.shard.count}: ${share.length} of ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'}${empty}\n`)
    scenarios = share
  }
  const settings = {
    cliVars: options.vars,
    env: io.env,
    cwd: io.cwd,
    line: options.line,
    replaySpeed: options.replaySpeed ?? 1,
    ...(options.baud !== undefined ? { baud: options.baud } : {}),
    ...(profile ? { profile } : {}),
    ...(options.noPrerequisites ? { noPrerequisites: true } : {}),
    ...(outputs.record ? { record: outputs.record } : {}),
  }
  const interrupts = listenForInterrupts((text) => io.stderr.write(text))
  const leases = new Leases()
  const lab = {
    ...(options.banner ? { banner: options.banner } : {}),
    labgrid: {
      ...(options.labgridEnv !== undefined ? { envFile: resolvePath(io.cwd, options.labgridEnv) } : {}),
      ...(options.labgridReserve ? { reserve: options.labgridReserve } : {}),
      ...(options.labgridTimeoutMs !== undefined ? { timeoutMs: options.labgridTimeoutMs } : {}),
    },
    leases,
    signal: interrupts.soft,
  }
  let result: SuiteResult
  try {
    result = await runSuite(scenarios, {
      devices: lanes.map((port) => portDevice(port, { ...settings, ...lab })),
      reporter: outputs.reporting,
      env: io.env,
      signal: interrupts.soft,
      hardSignal: interrupts.hard,
      processes: interrupts.processes,
      ...(options.bail ? { bail: true } : {}),
      ...(options.reset ? { reset: options.reset } : {}),
      ...(options.timeoutScale !== undefined ? { timeoutScale: options.timeoutScale } : {}),
      ...(options.repeat !== undefined ? { repeat: options.repeat } : {}),
    })
  } finally {
    // What the run holds in a lab goes back first, whichever way the run ended, still under the
    // signal handlers: a Ctrl-C now must not leave a board acquired.
    const { released, problems } = await leases.releaseAll()
    for (const line of released) io.stdout.write(`${line}\n`)
    for (const p of problems) io.stderr.write(`at-scenario: warning: ${p}\n`)
    // Still under the signal handlers: a Ctrl-C now must not cut the last report files short.
    outputs.reporting.finish()
    await outputs.record?.close()
    // Whatever happened, no prerequisite outlives the run.
    interrupts.release()
  }
  let code = exitCodeOf(result, interrupts.exitCode())
  if (outputs.record) {
    const error = outputs.record.error
    if (error) io.stderr.write(`at-scenario: the recording ${options.record} is incomplete: ${describeWriteError(error)}\n`)
    else io.stdout.write(`Recorded: ${options.record}\n`)
    if (error) code = worstOf(code, ExitCode.CouldNotRun)
  }
  // A run whose transcript or report is missing a part cannot be looked into: not a green run.
  const incomplete = outputs.reporting.incomplete
  if (incomplete.length > 0) {
    io.stderr.write(`at-scenario: not written whole: ${incomplete.join(', ')} (see the warnings above)\n`)
    code = worstOf(code, ExitCode.CouldNotRun)
  }
  return code
}

/** The devices to run on: every --port, else the comma-separated $AT_SCENARIO_PORT, else one lane on the simulator (undefined). */
export function lanesOf(ports: readonly string[], fromEnv: string | undefined): (string | undefined)[] {
  if (ports.length > 0) return [...ports]
  const env = (fromEnv ?? '').split(',').map((p) => p.trim()).filter(Boolean)
  return env.length > 0 ? env : [undefined]
}
