import { existsSync, readFileSync } from 'node:fs'
import { resolve as resolvePath } from 'node:path'
import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import { hasErrors } from '../diagnostics/diagnostic.ts'
import { renderDiagnostic } from '../diagnostics/code-frame.ts'
import type { LoadResult } from '../source/load.ts'
import { parseCli, USAGE, usageOf, UsageError } from './args.ts'
import type { CliOptions } from './args.ts'
import { keepRunningWhenOutputCloses } from './closed-output.ts'
import { loadEnvironment } from './env-file.ts'
import { ExitCode } from './exit-codes.ts'
import { selectByTags } from './select-by-tags.ts'
import { unusedCliVars } from './unused-cli-vars.ts'

export interface CliIo {
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
  env: Readonly<Record<string, string | undefined>>
  cwd: string
}

const defaultIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() })

/** The whole command line: argv in, exit code out. Never throws for the user's mistakes. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  keepRunningWhenOutputCloses(io)
  let options: CliOptions
  try {
    options = parseCli(argv, (path) => existsSync(resolvePath(io.cwd, path)))
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    // One line that says what is wrong, and where the rest is: the whole usage would bury the line.
    // With no argument at all, the usage is what the user is after.
    const more = argv.length === 0 ? `\n${USAGE}` : `See \`at-scenario${e.command ? ` ${e.command}` : ''} --help\`.\n`
    io.stderr.write(`at-scenario: ${e.message}\n${more}`)
    return ExitCode.BadInput
  }
  if (options.command === 'help') {
    io.stdout.write(options.helpFor ? usageOf(options.helpFor) : USAGE)
    return ExitCode.Passed
  }
  if (options.command === 'version') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    io.stdout.write(`${pkg.version}\n`)
    return ExitCode.Passed
  }
  if (options.command === 'ports') {
    const [{ formatPorts, listPorts }, { LinkOpenError }] = await Promise.all([import('../link/ports.ts'), import('../link/open-link.ts')])
    try {
      io.stdout.write(formatPorts(await listPorts()))
    } catch (e) {
      if (!(e instanceof LinkOpenError)) throw e
      io.stderr.write(`at-scenario: ${e.message}\n`)
      return ExitCode.CouldNotRun
    }
    return ExitCode.Passed
  }
  if (options.command === 'import') {
    const { importCommand } = await import('./import-command.ts')
    return importCommand(options, io)
  }
  if (options.command === 'import-doc') {
    const { importDocCommand } = await import('./import-doc-command.ts')
    return importDocCommand(options, io)
  }
  if (options.command === 'record-session') {
    const { recordSessionCommand } = await import('./record-session-command.ts')
    return recordSessionCommand(options, io)
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
  for (const file of options.files) loaded.push({ file, result: await loadScenario(file, { cliVars: options.vars, env, cwd: io.cwd }) })
  const sources = new Map<string, string>()
  for (const l of loaded) for (const [k, v] of l.result.sources) sources.set(k, v)
  const diagnostics: Diagnostic[] = loaded.flatMap((l) => l.result.diagnostics)
  for (const d of diagnostics) io.stderr.write(`${renderDiagnostic(d, (f) => sources.get(f), { color })}\n\n`)
  if (hasErrors(diagnostics)) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length
    io.stderr.write(`${errors} error${errors === 1 ? '' : 's'}; nothing was run.\n`)
    return ExitCode.BadInput
  }
  const all = loaded.map((l) => l.result.scenario!)
  for (const w of unusedCliVars(options.vars.keys(), all)) io.stderr.write(`at-scenario: warning: ${w}\n`)
  if (options.command === 'validate') {
    // A scenario's simulator profile is part of it: checked here too, with its own file:line:col.
    const profiles = loaded.flatMap((l) => (l.result.scenario?.simulator.profile ? [l.result.scenario.simulator.profile] : []))
    const { checkProfiles } = await import('./check-profiles.ts')
    if (!(await checkProfiles(profiles, io, color))) return ExitCode.BadInput
    // With --port (or $AT_SCENARIO_PORT) they are checked for a board: what the simulator lacks is no concern then.
    if (options.ports.length === 0 && !env.AT_SCENARIO_PORT) {
      const { unmodelledCommandWarnings } = await import('./check-simulator-commands.ts')
      for (const d of await unmodelledCommandWarnings(all)) io.stderr.write(`${renderDiagnostic(d, (f) => sources.get(f), { color })}\n\n`)
    }
    for (const l of loaded) io.stdout.write(`✔ ${l.file}\n`)
    return ExitCode.Passed
  }
  const selection = selectByTags(all, options)
  if (selection.nothingSelected) {
    io.stderr.write(`at-scenario: ${selection.nothingSelected}\n`)
    return ExitCode.BadInput
  }
  for (const w of selection.warnings) io.stderr.write(`at-scenario: warning: ${w}\n`)
  for (const s of selection.skipped) io.stdout.write(`${s.file}: skipped (tags ${s.tags.length ? s.tags.join(', ') : 'none'} do not match --tag/--exclude-tag)\n`)
  const { runAll } = await (running ?? import('./run-command.ts'))
  return runAll(selection.selected, options, { ...io, env }, color, (f) => sources.get(f))
}
