import { isAbsolute, join, resolve } from 'node:path'
import type { SourceLookup } from '../diagnostics/code-frame.ts'
import type { EngineListener } from '../engine/events.ts'
import type { NotRun, RunResult } from '../engine/result.ts'
import type { Repetition, SuiteReporter } from '../engine/run-suite.ts'
import type { Scenario } from '../source/types.ts'
import { terminalText } from '../bytes/terminal-text.ts'
import { DeviceWatch } from './device.ts'
import { endOfRunText } from './end-of-run.ts'
import { describeScenarioFailures, runSummaryLine, summaryLine } from './failure-text.ts'
import { REPORT_FORMATS } from './formats.ts'
import type { RenderReport, ReportFormat, ReportFormatName, StartStream } from './formats.ts'
import { createPlainProgress } from './plain.ts'
import { describeWriteError, displayPath, probeWritable, TranscriptNames, writeFileAtomic } from './report-files.ts'
import type { RunReport, ScenarioReport } from './run-report.ts'
import { makeDirectory } from '../files/make-directory.ts'
import { StreamFile } from '../files/stream-file.ts'
import { style } from './style.ts'
import { TimelineCollector } from './timeline.ts'
import { Transcript } from './transcript.ts'

interface Out {
  write(text: string): unknown
}

export interface ReportingOptions {
  stdout: Out
  stderr: Out
  cwd: string
  /** Progress as a line per step (off a terminal, CI) rather than listr2's live view. */
  plain: boolean
  color: boolean
  sources: SourceLookup
  /** Where transcripts and reports go; relative to `cwd`. */
  outputDir: string
  formats: readonly ReportFormatName[]
  /** What each scenario's transcript may grow to, in bytes (0: no limit; default 64 MiB). */
  transcriptLimitBytes?: number
  version: string
  hostname?: string
  /** The environment, for reports that call tools (`lava-test-case` on PATH). */
  env?: Readonly<Record<string, string | undefined>>
}

/** The output directory cannot be created or written: nothing runs (a run without its transcripts is a run no one can look into). */
export class ReportSetupError extends Error {}

interface Progress {
  listener: EngineListener
  done(): Promise<void>
}

/** The reporting of one running scenario: its events go to `listener`; `end` takes its result. */
export interface ScenarioReporting {
  listener: EngineListener
  end(result: RunResult): Promise<void>
}

/**
 * Everything a run tells the user and CI, as scenarios come and go: progress and failure details on
 * the console, a transcript per scenario streamed to the output directory, and the JUnit and JSON
 * reports rewritten after each scenario, so that an interrupted run of several still leaves them.
 * It only listens and writes; it never changes the run.
 */
export class RunReporting implements SuiteReporter {
  private readonly options: ReportingOptions
  private readonly dir: string
  private readonly names = new TranscriptNames()
  private readonly started = performance.now()
  private readonly report: RunReport
  /** Scenarios in command-line order; a running one is undefined until it ends. */
  private readonly slots: (ScenarioReport | undefined)[] = []
  private readonly warned = new Set<string>()
  /** Files that could not be written whole, shown as the user sees their paths. */
  private readonly lost = new Set<string>()
  private announced = 0
  private readonly renderers: ReadonlyMap<ReportFormatName, RenderReport>
  /** Reports written as each scenario ends, to stdout (`--reporter lava`). */
  private readonly streams: ((scenario: ScenarioReport) => void)[]
  /** A format draws the serial timeline: each scenario keeps a bounded one. */
  private readonly timelines: boolean

  private constructor(options: ReportingOptions, dir: string, renderers: ReadonlyMap<ReportFormatName, RenderReport>, streams: StartStream[]) {
    this.options = options
    this.dir = dir
    this.renderers = renderers
    const context = { stdout: options.stdout, env: options.env ?? {}, warn: (m: string) => this.warn(m) }
    this.streams = streams.map((start) => start(context))
    this.timelines = options.formats.some((f) => (REPORT_FORMATS[f] as ReportFormat).needsTimeline === true)
    this.report = { startedAt: new Date().toISOString(), durationMs: 0, complete: false, scenarios: [] }
  }

  /**
   * Creates the output directory and checks that files can be made in it, by making one: a
   * directory that is not writable (or /proc, which takes no new files) is an error before
   * anything runs, not a run whose transcripts and reports are silently missing.
   */
  static async start(options: ReportingOptions): Promise<RunReporting> {
    const files = options.formats.flatMap((f) => {
      const format = REPORT_FORMATS[f]
      return 'file' in format ? [[f, format] as const] : []
    })
    const renderers = new Map(await Promise.all(files.map(async ([f, format]) => [f, await format.load()] as const)))
    const streams = await Promise.all(options.formats.flatMap((f) => {
      const format = REPORT_FORMATS[f]
      return 'to' in format ? [format.load()] : []
    }))
    const dir = isAbsolute(options.outputDir) ? options.outputDir : resolve(options.cwd, options.outputDir)
    try {
      makeDirectory(dir)
    } catch (e) {
      throw new ReportSetupError(`cannot create the output directory ${options.outputDir}: ${describeWriteError(e)}`)
    }
    try {
      probeWritable(dir)
    } catch (e) {
      throw new ReportSetupError(`cannot write files in the output directory ${options.outputDir}: ${describeWriteError(e)}`)
    }
    return new RunReporting(options, dir, renderers, streams)
  }

  /** The line that opens a scenario's output, before its port is opened; a blank line separates scenarios. */
  announce(scenario: Scenario, target: { description: string; onSimulator: boolean }, prefix = '', repeat?: Repetition): void {
    const separator = this.announced++ > 0 ? '\n' : ''
    const run = repeat ? ` (run ${repeat.index} of ${repeat.of})` : ''
    this.options.stdout.write(`${separator}${prefix}${scenario.file}${run}: running on ${target.description}${target.onSimulator ? ' (no --port given)' : ''}\n`)
  }

  /**
   * A scenario is about to run on `target`: opens its transcript and its progress view. Its place in
   * the reports is taken now, so that they keep the order of the command line.
   */
  async scenarioStarting(scenario: Scenario, target: { description: string; onSimulator: boolean }, prefix = '', repeat?: Repetition): Promise<ScenarioReporting> {
    const { plain, color, sources } = this.options
    // Scenarios running side by side on several ports: every line says which port it is about.
    const stdout = prefixLines(this.options.stdout, prefix)
    const stderr = prefixLines(this.options.stderr, prefix)
    const slot = this.slots.push(undefined) - 1
    const transcript = this.openTranscript(scenario.file, repeat)
    const progress: Progress = plain
      ? createPlainProgress({ out: stdout, color })
      : await (await import('./terminal.ts')).createTerminalReporter({ color })
    // The run keeps passed steps without their lines: what needs them listens as they end.
    const device = new DeviceWatch()
    const timeline = this.timelines ? new TimelineCollector() : undefined
    return {
      listener: (event) => {
        transcript?.writer.listener(event)
        progress.listener(event)
        timeline?.listener(event)
        if (event.type === 'step:end') device.see(event.result)
      },
      end: async (result) => {
        await progress.done()
        await transcript?.writer.close()
        if (transcript?.file.error) {
          this.lost.add(transcript.shown)
          this.warn(`the transcript ${transcript.shown} is incomplete: ${describeWriteError(transcript.file.error)}`)
        }
        const entry: ScenarioReport = { result, ...(transcript ? { transcript: transcript.shown } : {}) }
        if (transcript?.writer.cut) entry.transcriptCut = { ...transcript.writer.cut }
        const shown = device.device(target.onSimulator)
        if (shown !== undefined) entry.device = shown
        if (timeline) entry.timeline = timeline.timeline()
        this.slots[slot] = entry
        for (const block of describeScenarioFailures(entry, { color, sources })) stderr.write(`\n${block}\n`)
        for (const line of escapedProcessLines(result, color)) stdout.write(`${line}\n`)
        stdout.write(`\n${summaryLine(result)}\n`)
        this.writeReports()
        for (const emit of this.streams) emit(entry)
      },
    }
  }

  /** A scenario that does not run (the port did not open, `--bail`, Ctrl-C) is still reported, its steps skipped. */
  scenarioNotRun(scenario: Scenario, result: RunResult, notRun: NotRun): void {
    const entry: ScenarioReport = { result, notRun }
    this.slots.push(entry)
    const message = terminalText(notRun.message)
    if (notRun.reason === 'link-error') this.options.stderr.write(`at-scenario: ${message}\n`)
    else this.options.stdout.write(`${this.announced++ > 0 ? '\n' : ''}${scenario.file}: not run (${message})\n`)
    this.writeReports()
    for (const emit of this.streams) emit(entry)
  }

  /** The run is over: the last version of the report files, and where they are. */
  finish(): RunReport {
    this.report.complete = true
    this.writeReports()
    const { stdout } = this.options
    // A long log ends with what failed and where, not only with counts.
    const end = endOfRunText(this.report)
    if (end) stdout.write(`\n${end}\n`)
    if (this.report.scenarios.length > 1) stdout.write(`\n${runSummaryLine(this.report)}\n`)
    const written = [
      ...this.report.scenarios.flatMap((s) => (s.transcript ? [s.transcript] : [])),
      ...this.options.formats.flatMap((f) => ('file' in REPORT_FORMATS[f] ? [displayPath(join(this.dir, fileOf(f)), this.options.cwd)] : [])),
    ].filter((f) => !this.lost.has(f))
    if (written.length > 0) stdout.write(`Written: ${written.join(', ')}\n`)
    return this.report
  }

  /** The transcripts and reports that could not be written whole (a full disk): the run's exit code says so. */
  get incomplete(): readonly string[] {
    return [...this.lost]
  }

  private openTranscript(scenarioFile: string, repeat?: Repetition): { writer: Transcript; file: StreamFile; shown: string } | undefined {
    const path = join(this.dir, this.names.next(scenarioFile, repeat?.index))
    try {
      const file = new StreamFile(path)
      const limit = this.options.transcriptLimitBytes
      return { writer: new Transcript(file, undefined, limit !== undefined ? { limitBytes: limit } : {}), file, shown: displayPath(path, this.options.cwd) }
    } catch (e) {
      const shown = displayPath(path, this.options.cwd)
      this.lost.add(shown)
      this.warn(`cannot write the transcript ${shown}: ${describeWriteError(e)}`)
      return undefined
    }
  }

  private writeReports(): void {
    this.report.scenarios = this.slots.filter((s) => s !== undefined)
    this.report.durationMs = performance.now() - this.started
    const context = { sources: this.options.sources, version: this.options.version, ...(this.options.hostname ? { hostname: this.options.hostname } : {}) }
    for (const [format, render] of this.renderers) {
      const path = join(this.dir, fileOf(format))
      const shown = displayPath(path, this.options.cwd)
      try {
        writeFileAtomic(path, render(this.report, context))
        // A later version written whole replaces the one that failed.
        this.lost.delete(shown)
      } catch (e) {
        this.lost.add(shown)
        this.warn(`cannot write ${shown}: ${describeWriteError(e)}`)
      }
    }
  }

  /** Says it once: a full disk should not print the same warning after every scenario. */
  private warn(message: string): void {
    if (this.warned.has(message)) return
    this.warned.add(message)
    this.options.stderr.write(`at-scenario: warning: ${message}\n`)
  }
}

/**
 * Processes a prerequisite had started outside its process group (setsid) were stopped with it:
 * said on the console, since nothing should outlive a run unnoticed.
 */
function escapedProcessLines(result: RunResult, color: boolean): string[] {
  const s = style(color)
  return result.prerequisites.flatMap((p) =>
    (p.escaped ?? []).map((e) => `${s.yellow('⚠')} Stop ${p.name}: also stopped pid ${e.pid} (${e.command}), which it had started outside its process group, by ${e.signal}`),
  )
}

/** The file a file format writes (renderers hold file formats only). */
function fileOf(format: ReportFormatName): string {
  const f = REPORT_FORMATS[format]
  return 'file' in f ? f.file : format
}

/** A writer that starts every line with `prefix` (whole writes only: each ends with a newline). */
function prefixLines(out: Out, prefix: string): Out {
  if (!prefix) return out
  return { write: (text: string) => out.write(text.replace(/^(?=.)/gm, prefix)) }
}
