import type { SourceLookup } from '../diagnostics/code-frame.ts'
import type { RunReport } from './run-report.ts'

/** What a report file is made from: the run so far, and what the file needs to know besides. */
export interface ReportContext {
  sources: SourceLookup
  version: string
  hostname?: string
}

/** Turns the run so far into the file's text; called after every scenario. */
export type RenderReport = (report: RunReport, context: ReportContext) => string

export interface ReportFormat {
  /** The file's name in the output directory. */
  file: string
  /** For `--help`: what the file is. */
  summary: string
  /** Loaded only when the format is asked for. */
  load(): Promise<RenderReport>
  /** The format draws the serial timeline: the reporting keeps a bounded one per scenario (`ScenarioReport.timeline`). */
  needsTimeline?: boolean
}

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
} satisfies Record<string, ReportFormat>

export type ReportFormatName = keyof typeof REPORT_FORMATS

export function isReportFormat(name: string): name is ReportFormatName {
  return Object.hasOwn(REPORT_FORMATS, name)
}
