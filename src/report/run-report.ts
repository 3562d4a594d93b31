import { skippedStep } from '../engine/result.ts'
import type { RunResult, StepResult } from '../engine/result.ts'
import type { Scenario, Step } from '../source/types.ts'

/** Why a scenario given on the command line has no run of its own. */
export interface NotRun {
  reason: 'link-error' | 'bail' | 'interrupted'
  message: string
}

/** One scenario of a run, as the file reports show it. */
export interface ScenarioReport {
  result: RunResult
  /** The transcript's path as shown to the user (relative to the working directory when inside it). */
  transcript?: string
  /** The device: the simulator, a capture named `device`, or the first line of AT+GMR (see `deviceOf`). */
  device?: string
  /** Set when the scenario did not run at all; `result` then has every step skipped. */
  notRun?: NotRun
}

/** A whole invocation: every scenario given, in order, whether it ran or not. */
export interface RunReport {
  startedAt: string
  durationMs: number
  /** False while scenarios are still to come: the files are rewritten after each scenario. */
  complete: boolean
  scenarios: ScenarioReport[]
}

export type OverallStatus = RunResult['status']

/**
 * The run's verdict: interrupted, else the worst scenario's, as the exit code ranks them (not-run is
 * worse than failed). Scenarios left out by `--bail` do not count: the failure before them does.
 */
export function overallStatus(report: Pick<RunReport, 'scenarios'>): OverallStatus {
  const statuses = report.scenarios.filter((s) => s.notRun?.reason !== 'bail').map((s) => s.result.status)
  if (statuses.includes('interrupted')) return 'interrupted'
  if (statuses.includes('not-run')) return 'not-run'
  if (statuses.includes('failed')) return 'failed'
  return 'passed'
}

/**
 * The result of a scenario that did not run (the port could not be opened, `--bail`, Ctrl-C):
 * the same shape as a real run, every step skipped, so that reports count its steps either way.
 * Names are shown as written, since no variables were resolved.
 */
export function notRunResult(scenario: Scenario, target: string, notRun: NotRun): RunResult {
  const skipped = (s: Step): StepResult => skippedStep(s, s.name.source)
  return {
    scenario: {
      name: scenario.name.source,
      file: scenario.file,
      ...(scenario.doc ? { doc: scenario.doc } : {}),
      ...(scenario.description ? { description: scenario.description } : {}),
    },
    target,
    status: notRun.reason === 'interrupted' ? 'interrupted' : 'not-run',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    prerequisites: scenario.prerequisites.map((p) => ({
      index: p.index,
      name: p.name.source,
      command: p.run.map((t) => t.source),
      status: 'skipped',
      outputTail: [],
      span: p.span,
    })),
    steps: scenario.steps.map(skipped),
    teardown: scenario.teardown.map(skipped),
  }
}
