import { readFileSync } from 'node:fs'
import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import { hasErrors } from '../diagnostics/diagnostic.ts'
import { renderDiagnostic } from '../diagnostics/code-frame.ts'
import type { LoadResult } from '../source/load.ts'
import type { Scenario } from '../source/types.ts'
import { parseCli, USAGE, UsageError } from './args.ts'
import type { CliOptions } from './args.ts'
import { loadEnvironment } from './env-file.ts'
import { ExitCode } from './exit-codes.ts'

export interface CliIo {
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
  env: Readonly<Record<string, string | undefined>>
  cwd: string
}

const defaultIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() })

/** The whole command line: argv in, exit code out. Never throws for the user's mistakes. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let options: CliOptions
  try {
    options = parseCli(argv)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    io.stderr.write(`at-scenario: ${e.message}\n\n${USAGE}`)
    return ExitCode.BadInput
  }
  if (options.command === 'help') {
    io.stdout.write(USAGE)
    return ExitCode.Passed
  }
  if (options.command === 'version') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    io.stdout.write(`${pkg.version}\n`)
    return ExitCode.Passed
  }
  if (options.command === 'ports') {
    const { formatPorts, listPorts } = await import('../link/ports.ts')
    io.stdout.write(formatPorts(listPorts()))
    return ExitCode.Passed
  }
  if (options.command === 'import') {
    const { importCommand } = await import('./import-command.ts')
    return importCommand(options, io)
  }
  if (options.command === 'sim') {
    const { simCommand } = await import('./sim-command.ts')
    return simCommand(options, io)
  }
  const { env, error } = loadEnvironment(io.env, options.envFile, io.cwd)
  if (error) {
    io.stderr.write(`at-scenario: ${error}\n`)
    return ExitCode.BadInput
  }
  const color = options.color ?? (io.stderr.isTTY === true && !env.NO_COLOR)

  // Every file is checked before anything runs: a typo in the third file must not cost a run of the first two.
  // A run needs the engine too: start loading it now, while the scenarios are read and checked.
  const running = options.command === 'run' ? import('./run-command.ts') : undefined
  running?.catch(() => {}) // awaited below; a failure to load surfaces there
  const { loadScenario } = await import('../source/load.ts')
  const loaded: { file: string; result: LoadResult }[] = []
  for (const file of options.files) loaded.push({ file, result: await loadScenario(file, { cliVars: options.vars, env }) })
  const sources = new Map<string, string>()
  for (const l of loaded) for (const [k, v] of l.result.sources) sources.set(k, v)
  const diagnostics: Diagnostic[] = loaded.flatMap((l) => l.result.diagnostics)
  for (const d of diagnostics) io.stderr.write(`${renderDiagnostic(d, (f) => sources.get(f), { color })}\n\n`)
  if (hasErrors(diagnostics)) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length
    io.stderr.write(`${errors} error${errors === 1 ? '' : 's'}; nothing was run.\n`)
    return ExitCode.BadInput
  }
  if (options.command === 'validate') {
    // A scenario's simulator profile is part of it: checked here too, with its own file:line:col.
    const profiles = loaded.flatMap((l) => (l.result.scenario?.simulator.profile ? [l.result.scenario.simulator.profile] : []))
    const { checkProfiles } = await import('./check-profiles.ts')
    if (!(await checkProfiles(profiles, io, color))) return ExitCode.BadInput
    for (const l of loaded) io.stdout.write(`✔ ${l.file}\n`)
    return ExitCode.Passed
  }
  const scenarios: Scenario[] = []
  for (const l of loaded) {
    const scenario = l.result.scenario!
    if (selectedByTags(scenario.tags, options)) scenarios.push(scenario)
    else io.stdout.write(`${l.file}: skipped (tags ${scenario.tags.length ? scenario.tags.join(', ') : 'none'} do not match --tag/--exclude-tag)\n`)
  }
  if (scenarios.length === 0) {
    io.stdout.write('No scenario matches the tags given; nothing to run.\n')
    return ExitCode.Passed
  }
  const { runAll } = await (running ?? import('./run-command.ts'))
  return runAll(scenarios, options, { ...io, env }, color, (f) => sources.get(f))
}

/** --tag: any of them must be present (when given); --exclude-tag: none may be. */
export function selectedByTags(tags: readonly string[], options: Pick<CliOptions, 'tags' | 'excludeTags'>): boolean {
  if (options.tags.length > 0 && !options.tags.some((t) => tags.includes(t))) return false
  return !options.excludeTags.some((t) => tags.includes(t))
}
