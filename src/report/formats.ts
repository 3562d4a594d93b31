import type { SourceLookup } from '../diagnostics/code-frame.ts'
import type { RunReport, ScenarioReport } from './run-report.ts'

/** What a report file is made from: the run so far, and what the file needs to know besides. */
export interface ReportContext {
  sources: SourceLookup
  version: string
  hostname?: string
}

/** Turns the run so far into the file's text; called after every scenario. */
export type RenderReport = (report: RunReport, context: ReportContext) => string

export interface FileFormat {
  /** The file's name in the output directory. */
  file: string
  /** For `--help`: what the file is. */
  summary: string
  /** Loaded only when the format is asked for. */
  load(): Promise<RenderReport>
  to?: never
  /** The format draws the serial timeline: the reporting keeps a bounded one per scenario (`ScenarioReport.timeline`). */
  needsTimeline?: boolean
}

/** What a report written as the run goes gets, besides each scenario's report. */
export interface StreamContext {
  stdout: { write(text: string): unknown }
  env: Readonly<Record<string, string | undefined>>
  /** Said once on stderr (a tool that failed, and what was done instead). */
  warn(message: string): void
}

/**
 * Starts such a report for a run; what it returns gets each scenario's report as the scenario ends,
 * and writes it: lines on stdout for a program reading the log, or calls to that program's tools.
 */
export type StartStream = (context: StreamContext) => (scenario: ScenarioReport) => void

/** A report for a program that reads the run's output (LAVA), not a file; progress is then plain lines. */
export interface StreamFormat {
  to: 'stdout'
  file?: never
  needsTimeline?: never
  summary: string
  load(): Promise<StartStream>
}

export type ReportFormat = FileFormat | StreamFormat

/**
 * The report files `--reporter` can write besides the transcripts. Adding one is a module with its
 * render function and a line here; the command line, its help and the writing follow the table.
 */
export const REPORT_FORMATS = {
  junit: {
    file: 'junit.xml',
    summary: 'JUnit XML (Jenkins, GitLab, GitHub actions)',
    load: async () => {
      const { toJUnit } = await import('./junit.ts')
      return (report, { sources, hostname }) => toJUnit(report, { sources, ...(hostname ? { hostname } : {}) })
    },
  },
  json: {
    file: 'results.json',
    summary: 'every result as JSON (schema/result.schema.json)',
    load: async () => {
      const { serializeJsonReport, toJsonReport } = await import('./json.ts')
      return (report, { version }) => serializeJsonReport(toJsonReport(report, version))
    },
  },
  html: {
    file: 'index.html',
    summary: 'one self-contained page: summary, failures, latency histograms, serial timeline',
    needsTimeline: true,
    load: async () => {
      const { toHtml } = await import('./html.ts')
      return (report, { sources, version, hostname }) => toHtml(report, { sources, version, ...(hostname ? { hostname } : {}) })
    },
  },
  lava: {
    to: 'stdout',
    summary: 'LAVA test cases, a test set per scenario: <LAVA_SIGNAL_TESTCASE ...> lines, or lava-test-case when on PATH',
    load: async () => (await import('./lava.ts')).startLava,
  },
} satisfies Record<string, ReportFormat>

export type ReportFormatName = keyof typeof REPORT_FORMATS

export function isReportFormat(name: string): name is ReportFormatName {
  return Object.hasOwn(REPORT_FORMATS, name)
}

/** A format written to stdout as the run goes rather than to a file. */
export function isStreamFormat(name: ReportFormatName): boolean {
  return !('file' in REPORT_FORMATS[name])
}
