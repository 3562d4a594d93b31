import { writeFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { describeFsError } from '../diagnostics/fs-error.ts'
import { readLimitedText } from '../source/read-limited.ts'
import type { CliOptions } from './args.ts'
import { ExitCode } from './exit-codes.ts'
import type { CliIo } from './main.ts'

/**
 * `at-scenario import log.txt -o run.atrec`: a pasted serial log becomes a recording that
 * `--port replay:run.atrec` plays, and the guesses the import made are listed for the user to check.
 */
export async function importCommand(options: CliOptions, io: CliIo): Promise<number> {
  const [{ importLog }, { formatEntry, formatHeader }] = await Promise.all([import('../replay/log-import.ts'), import('../replay/atrec-format.ts')])
  const input = options.files[0]!
  const read = readLimitedText(resolve(io.cwd, input), 'log')
  if (!read.ok) {
    io.stderr.write(`at-scenario: cannot read ${input}: ${read.why}\n`)
    return ExitCode.BadInput
  }
  const text = read.text
  const output = options.output ?? `${input.replace(/\.[^./\\]*$/, '')}.atrec`
  const log = importLog(text)
  const recording =
    formatHeader({ source: basename(input), target: 'a pasted serial log' }, [], log.confirm.map((c) => `confirm: ${c}`)) + log.entries.map(formatEntry).join('')
  try {
    await writeFile(resolve(io.cwd, output), recording)
  } catch (e) {
    io.stderr.write(`at-scenario: cannot write ${output}: ${describeFsError(e)}\n`)
    return ExitCode.BadInput
  }
  const out = [`Imported ${input}: ${log.commands} host ${plural(log.commands, 'command')}, ${log.deviceLines} device ${plural(log.deviceLines, 'line')}${log.timed ? ', timed by its time stamps' : ''}.`]
  if (log.commands === 0) out.push('No line was taken as a host command: a replay of it only plays the device\'s output.')
  if (log.confirm.length > 0) out.push('Please confirm:', ...log.confirm.map((c) => `  ${c}`))
  out.push(`Written: ${output}`, `Replay it with: at-scenario <scenario.yaml> --port replay:${output}`)
  io.stdout.write(`${out.join('\n')}\n`)
  return ExitCode.Passed
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`
}
