import type { NotRun, RunResult } from '../engine/result.ts'
import type { Timeline } from './timeline.ts'
import type { TranscriptCut } from './transcript.ts'

export type { NotRun } from '../engine/result.ts'

/** One scenario of a run, as the file reports show it. */
export interface ScenarioReport {
  result: RunResult
  /** The transcript's path as shown to the user (relative to the working directory when inside it). */
  transcript?: string
  /** Set when the transcript reached `--transcript-limit` and the rest of the traffic was left out. */
  transcriptCut?: TranscriptCut
  /** The device: the simulator, a capture named `device`, or the first line of AT+GMR (see `DeviceWatch`). */
  device?: string
  /** Set when the scenario did not run at all; `result` then has every step skipped. */
  notRun?: NotRun
  /** What the HTML report's serial timeline shows (kept only when a format needs it; bounded). */
  timeline?: Timeline
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
