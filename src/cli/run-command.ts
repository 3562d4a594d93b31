import type { SourceLookup } from '../diagnostics/code-frame.ts'
import type { RunResult } from '../engine/result.ts'
import type { RunningPrerequisite } from '../engine/prerequisites.ts'
import { describeTarget, LinkOpenError, openLink, targetFromPort } from '../link/open-link.ts'
import type { LinkTarget } from '../link/open-link.ts'
import type { Scenario } from '../source/types.ts'
import type { CliOptions } from './args.ts'
import { ExitCode } from './exit-codes.ts'
import { firstLanAddress } from './host-ip.ts'
import type { CliIo } from './main.ts'

const DEFAULT_BAUD = 115200

/** Runs the scenarios one after the other and maps their results to an exit code. */
export async function runAll(scenarios: Scenario[], options: CliOptions, io: CliIo, color: boolean, sources: SourceLookup): Promise<number> {
  const [{ runScenario }, { createTerminalReporter }, text] = await Promise.all([
    import('../engine/run-scenario.ts'),
    import('../report/terminal.ts'),
    import('../report/failure-text.ts'),
  ])

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

  const results: RunResult[] = []
  let exit: number = ExitCode.Passed
  try {
    for (const scenario of scenarios) {
      if (soft.signal.aborted) break
      const target: LinkTarget = options.port
        ? targetFromPort(options.port, options.baud ?? scenario.device.baudRate ?? DEFAULT_BAUD)
        : { kind: 'simulator' }
      const hostIp = target.kind === 'simulator' ? '127.0.0.1' : (firstLanAddress() ?? '127.0.0.1')
      io.stdout.write(`${scenario.file}: running on ${describeTarget(target)}${target.kind === 'simulator' ? ' (no --port given)' : ''}\n`)
      let link
      try {
        link = await openLink(target)
      } catch (e) {
        if (!(e instanceof LinkOpenError)) throw e
        io.stderr.write(`at-scenario: ${e.message}\n`)
        exit = Math.max(exit, ExitCode.CouldNotRun)
        continue
      }
      const plain = !io.stdout.isTTY || !!io.env.CI
      const reporter = await createTerminalReporter({ plain, stdout: io.stdout })
      let result: RunResult
      try {
        result = await runScenario(scenario, {
          link,
          variables: { cliVars: options.vars, env: io.env, hostIp, onSimulator: target.kind === 'simulator' },
          env: io.env,
          signal: soft.signal,
          hardSignal: hard.signal,
          processes: live,
          onEvent: reporter.listener,
        })
      } finally {
        await reporter.done()
        await link.close()
      }
      results.push(result)
      const details: string[] = []
      for (const p of result.prerequisites) if (p.status === 'failed') details.push(text.describePrerequisiteFailure(p, { color, sources }))
      for (const s of [...result.steps, ...result.teardown]) {
        if (s.failure && s.status !== 'skipped') details.push(text.describeStepFailure(s, { color, sources }))
      }
      for (const d of details) io.stderr.write(`\n${d}\n`)
      io.stdout.write(`\n${text.summaryLine(result)}\n`)
      exit = Math.max(exit, exitCodeOf(result))
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('exit', killAll)
  }
  return soft.signal.aborted ? ExitCode.Interrupted : exit
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
