import { writeFile } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { describeFsError } from '../diagnostics/fs-error.ts'
import { readLimitedText } from '../source/read-limited.ts'
import type { CliOptions } from './args.ts'
import { ExitCode } from './exit-codes.ts'
import type { CliIo } from './main.ts'

/**
 * `at-scenario import log.txt -o run.atrec [--scenario run.yaml]`: a pasted serial log becomes a
 * recording that `--port replay:run.atrec` plays, and with --scenario also the scenario of it; the
 * guesses the import made are listed for the user to check, and what it could not map is warned of.
 */
export async function importCommand(options: CliOptions, io: CliIo): Promise<number> {
  const [{ importLog }, { formatEntry, formatHeader }, { scenarioFromLog }, { scenarioYaml }, { schemaReference }] = await Promise.all([
    import('../replay/log-import.ts'),
    import('../replay/atrec-format.ts'),
    import('../authoring/log-scenario.ts'),
    import('../authoring/scenario-yaml.ts'),
    import('../authoring/write-files.ts'),
  ])
  const input = options.files[0]!
  const read = readLimitedText(resolve(io.cwd, input), 'log')
  if (!read.ok) {
    io.stderr.write(`at-scenario: cannot read ${input}: ${read.why}\n`)
    return ExitCode.BadInput
  }
  const text = read.text
  const output = options.output ?? `${input.replace(/\.[^./\\]*$/, '')}.atrec`
  const log = importLog(text)
  // The scenario is made also when not asked for: it finds the secrets (the Wi-Fi password), which
  // neither the recording nor the notes may show, and what the log leaves unanswered.
  const made = scenarioFromLog(log, basename(input))
  const { entries, warnings, secrets } = made
  const confirm = log.confirm.map(made.mask)
  let scenarioText: string | undefined
  if (options.scenarioOut !== undefined) {
    made.draft.header[1] = `Replay it with: ${made.needsEnv.map((e) => `${e}=any `).join('')}at-scenario ${options.scenarioOut} --port replay:${output}`
    scenarioText = scenarioYaml(made.draft, schemaReference(dirname(resolve(io.cwd, options.scenarioOut))))
  }
  const recording =
    formatHeader({ source: basename(input), target: 'a pasted serial log', ...(secrets.length > 0 ? { secrets } : {}) }, [], confirm.map((c) => `confirm: ${c}`)) +
    entries.map(formatEntry).join('')
  const writes: [string, string][] = [[output, recording], ...(scenarioText !== undefined ? [[options.scenarioOut!, scenarioText] as [string, string]] : [])]
  for (const [file, content] of writes) {
    try {
      await writeFile(resolve(io.cwd, file), content)
    } catch (e) {
      io.stderr.write(`at-scenario: cannot write ${file}: ${describeFsError(e)}\n`)
      return ExitCode.BadInput
    }
  }
  const out = [`Imported ${input}: ${log.commands} host ${plural(log.commands, 'command')}, ${log.deviceLines} device ${plural(log.deviceLines, 'line')}${log.timed ? ', timed by its time stamps' : ''}.`]
  if (log.commands === 0) out.push('No line was taken as a host command: a replay of it only plays the device\'s output.')
  if (confirm.length > 0) out.push('Please confirm:', ...confirm.map((c) => `  ${c}`))
  for (const w of warnings) io.stderr.write(`at-scenario: warning: ${w}\n`)
  out.push(`Written: ${output}`)
  // The recording leaves the password out and its replay accepts any: the variable only has to be set.
  const envFirst = made.needsEnv.map((e) => `${e}=any `).join('')
  if (scenarioText !== undefined) {
    out.push(`Written: ${options.scenarioOut}`)
    const many = made.needsEnv.length > 1
    if (made.needsEnv.length > 0) out.push(`The log's Wi-Fi ${many ? 'passwords are' : 'password is'} not written to the scenario: it takes ${many ? 'them' : 'it'} from ${made.needsEnv.join(' and ')} (environment or .env); a replay accepts any value, since the recording leaves ${many ? 'them' : 'it'} out`)
    out.push(`Replay it with: ${envFirst}at-scenario ${options.scenarioOut} --port replay:${output}`)
  }
  else out.push(`Replay it with: at-scenario <scenario.yaml> --port replay:${output}`)
  io.stdout.write(`${out.join('\n')}\n`)
  return ExitCode.Passed
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`
}
