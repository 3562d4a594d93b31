import { COMMAND_SETS } from './commands/index.ts'
import type { CommandSpec } from './device.ts'

/**
 * What the built-in simulator models, read from its command table (commands/index.ts), for the
 * runner's failure text, `validate` and `at-scenario sim --list-commands`. Importing this loads
 * the command handlers' modules and nothing else: no socket is opened, no server started.
 */

const NAMES: ReadonlySet<string> = new Set(COMMAND_SETS.flatMap((s) => s.commands.map(([name]) => name)))

/**
 * The command a line sends, as the device looks it up: `+CIPSTART` for `AT+CIPSTART="TCP",...`,
 * `E0` for `ATE0`, `` for `AT`; undefined for a line that does not start with AT.
 */
export function commandNameOf(line: string): string | undefined {
  const m = /^AT([A-Za-z0-9_+&]*)/i.exec(line.trim())
  return m ? m[1]!.toUpperCase() : undefined
}

/** Whether the simulator models a command, given as `AT+CIPSTART`, `+CIPSTART` or a whole command line. */
export function isModelled(command: string): boolean {
  const name = /^AT/i.test(command) ? commandNameOf(command) : command.toUpperCase()
  return name !== undefined && NAMES.has(name)
}

/** The sentence the runner adds to a failure on the simulator, for a command it does not model. */
export function notModelledHint(name: string): string {
  return `the built-in simulator does not model AT${name} (see \`at-scenario sim --list-commands\`); run with --port for a board`
}

/** For a failed step that sent `line`: the hint when its command is not modelled, else undefined. */
export function hintFor(line: string): string | undefined {
  const name = commandNameOf(line)
  if (name === undefined || NAMES.has(name)) return undefined
  return notModelledHint(name)
}

/** `at-scenario sim --list-commands`: the table by command set, each command with the forms it answers. */
export function formatCommandList(): string {
  const out = ['Commands the built-in ESP-AT simulator models, by command set (forms: test =?, query ?, set =, execute):', '']
  for (const set of COMMAND_SETS) {
    out.push(`${set.title} (${set.name}):`)
    for (const [name, spec] of set.commands) out.push(`  ${`AT${name}`.padEnd(22)} ${formsOf(spec)}`)
    out.push('')
  }
  out.push('Any other command is answered as the firmware answers a command it does not know (ERROR, and')
  out.push('ERR CODE:0x01090000 after AT+SYSLOG=1). Run with --port to test a board.')
  return `${out.join('\n')}\n`
}

function formsOf(spec: CommandSpec): string {
  const forms: string[] = []
  if (spec.test) forms.push('=?')
  if (spec.query) forms.push('?')
  if (spec.set) forms.push('=')
  if (spec.execute) forms.push('execute')
  return forms.join(' ')
}
