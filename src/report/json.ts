import type { RunResult } from '../engine/result.ts'
import { commandLatencies } from './latency-stats.ts'
import type { CommandLatency } from './latency-stats.ts'
import type { NotRun, OverallStatus, RunReport } from './run-report.ts'
import { overallStatus } from './run-report.ts'
import type { TranscriptCut } from './transcript.ts'

/** The JSON report, described by schema/result.schema.json. */
export interface JsonReport {
  $schema: string
  tool: 'at-scenario'
  version: string
  /**
   * The version of this file's shape; bumped when a field changes meaning or goes away. 2: steps that
   * passed or were skipped have no `lines` (the transcript has them); steps have `latency` and
   * `budgetMs`; the run has `latency` per command; scenarios run with --repeat say which run they are.
   */
  format: 2
  startedAt: string
  durationMs: number
  /** False while the run goes on (the file is rewritten after each scenario) or when it was killed. */
  complete: boolean
  status: OverallStatus
  summary: Record<RunResult['status'], number> & { scenarios: number }
  /** How fast the device answered, per AT command, over every scenario and run of the report. */
  latency: { commands: Omit<CommandLatency, 'samples'>[] }
  scenarios: (RunResult & { transcript?: string; transcriptCut?: TranscriptCut; device?: string; notRun?: NotRun })[]
}

export const RESULT_SCHEMA_ID = 'https://github.com/at-scenario/at-scenario/schema/result.schema.json'

/** The whole run as JSON data: every scenario's full result with the report's additions. */
export function toJsonReport(report: RunReport, version: string): JsonReport {
  const summary = { scenarios: report.scenarios.length, passed: 0, failed: 0, 'not-run': 0, interrupted: 0 }
  for (const s of report.scenarios) summary[s.result.status]++
  return {
    $schema: RESULT_SCHEMA_ID,
    tool: 'at-scenario',
    version,
    format: 2,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    complete: report.complete,
    status: overallStatus(report),
    summary,
    latency: { commands: commandLatencies(report.scenarios.map((s) => s.result)).map(({ samples: _, ...rest }) => rest) },
    scenarios: report.scenarios.map((s) => ({
      ...s.result,
      ...(s.transcript !== undefined ? { transcript: s.transcript } : {}),
      ...(s.transcriptCut ? { transcriptCut: s.transcriptCut } : {}),
      ...(s.device !== undefined ? { device: s.device } : {}),
      ...(s.notRun ? { notRun: s.notRun } : {}),
    })),
  }
}

/** The report as the text of results.json: times rounded to microseconds (performance.now() noise is not data). */
export function serializeJsonReport(report: JsonReport): string {
  return `${JSON.stringify(report, (_, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value), 2)}\n`
}
