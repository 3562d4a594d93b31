import type { RunResult } from '../engine/result.ts'
import type { NotRun, OverallStatus, RunReport } from './run-report.ts'
import { overallStatus } from './run-report.ts'
import type { TranscriptCut } from './transcript.ts'

/** The JSON report, described by schema/result.schema.json. */
export interface JsonReport {
  $schema: string
  tool: 'at-scenario'
  version: string
  /** The version of this file's shape; bumped when a field changes meaning or goes away. */
  format: 1
  startedAt: string
  durationMs: number
  /** False while the run goes on (the file is rewritten after each scenario) or when it was killed. */
  complete: boolean
  status: OverallStatus
  summary: Record<RunResult['status'], number> & { scenarios: number }
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
    format: 1,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    complete: report.complete,
    status: overallStatus(report),
    summary,
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
