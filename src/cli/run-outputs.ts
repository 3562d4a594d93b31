import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { resolve as resolvePath } from 'node:path'
import type { SourceLookup } from '../diagnostics/code-frame.ts'
import type { RunReporting } from '../report/run-reporting.ts'
import type { StreamFile } from '../files/stream-file.ts'
import type { CliOptions } from './args.ts'
import { ExitCode } from './exit-codes.ts'
import type { ExitCodeValue } from './exit-codes.ts'
import type { CliIo } from './main.ts'

/**
 * Where a run's outputs go: the reporting, and the recording of `--record`; or why they cannot,
 * with the exit code: 2 for a contradiction on the command line, 3 for a path that cannot be written.
 */
export type RunOutputs = { reporting: RunReporting; record?: StreamFile } | { error: string; exitCode: ExitCodeValue }

/** Sets up the outputs before anything runs, so that a path that cannot be written stops the run before it starts. */
export async function openRunOutputs(options: CliOptions, io: CliIo, lanes: number, color: boolean, sources: SourceLookup): Promise<RunOutputs> {
  const { RunReporting, ReportSetupError } = await import('../report/run-reporting.ts')
  // Off a terminal and in CI: a plain line per step, and no ANSI codes unless --color asks for them.
  // A terminal that reports no width would garble listr2's live view: plain there too.
  // A report on stdout is read by a program from the log (LAVA): a live view would draw over its lines.
  const { isStreamFormat } = await import('../report/formats.ts')
  const plain = !io.stdout.isTTY || isCi(io.env) || !io.stdout.columns || lanes > 1 || (options.reporters ?? []).some(isStreamFormat)
  let reporting: RunReporting
  try {
    reporting = await RunReporting.start({
      stdout: io.stdout,
      stderr: io.stderr,
      cwd: io.cwd,
      plain,
      color: plain ? options.color === true : color,
      sources,
      outputDir: options.outputDir ?? 'reports',
      formats: options.reporters ?? [],
      ...(options.transcriptLimit !== undefined ? { transcriptLimitBytes: options.transcriptLimit } : {}),
      version: packageVersion(),
      hostname: hostname(),
      env: io.env,
    })
  } catch (e) {
    if (!(e instanceof ReportSetupError)) throw e
    return { error: e.message, exitCode: ExitCode.CouldNotRun }
  }
  if (options.record === undefined) return { reporting }
  const replaying = [...options.ports, ...(io.env.AT_SCENARIO_PORT ?? '').split(',')].filter((p) => p.startsWith('replay:')).map((p) => resolvePath(io.cwd, p.slice('replay:'.length)))
  if (replaying.includes(resolvePath(io.cwd, options.record))) {
    return { error: `--record ${options.record} would overwrite the recording the run replays; record to another file`, exitCode: ExitCode.BadInput }
  }
  const [{ StreamFile }, { describeWriteError }] = await Promise.all([import('../files/stream-file.ts'), import('../report/report-files.ts')])
  try {
    return { reporting, record: new StreamFile(resolvePath(io.cwd, options.record)) }
  } catch (e) {
    return { error: `cannot write the recording ${options.record}: ${describeWriteError(e)}`, exitCode: ExitCode.CouldNotRun }
  }
}

/** CI=true (GitHub Actions, GitLab, most others) but not CI=false or CI=0. */
function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  return !!env.CI && env.CI !== 'false' && env.CI !== '0'
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}
