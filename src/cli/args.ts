import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { didYouMean } from '../diagnostics/suggest.ts'
import { BannerSyntaxError, parseBanner } from '../link/banner.ts'
import type { BannerRule } from '../link/banner.ts'
import { checkDuration } from '../source/duration.ts'
import { isReportFormat, REPORT_FORMATS } from '../report/formats.ts'
import type { ReportFormatName } from '../report/formats.ts'

const FORMATS = Object.keys(REPORT_FORMATS) as ReportFormatName[]
/** `--reporter`'s help, from the table of formats: `junit` (junit.xml, JUnit XML ...), one a line. */
const REPORTER_HELP = FORMATS.map((f) => {
  const format = REPORT_FORMATS[f]
  return `\n                             ${f}: ${'file' in format ? format.file : 'on stdout'}, ${format.summary}`
}).join('')

export type Command = 'run' | 'validate' | 'ports' | 'import' | 'import-doc' | 'record-session' | 'sim'

/** The command words, in the order --help lists them. */
export const COMMANDS: readonly Command[] = ['run', 'validate', 'ports', 'import', 'import-doc', 'record-session', 'sim']

/**
 * Each command's usage: its synopsis lines and its options. The full --help is all of them in a
 * row, and `at-scenario <command> --help` is one of them, so the two cannot drift apart.
 */
const HELP: Record<Command, { synopsis: string; options?: string; exitCodes: string }> = {
  run: {
    synopsis: `  at-scenario [run] <scenario.yaml>... [options]   run scenarios (on the built-in simulator unless --port is given)`,
    options: `Options of run:
  -p, --port <port>        the ESP-AT device: a serial port (/dev/ttyUSB0), usb:serial=SERIAL (a board by
                           its USB serial number), tcp://HOST:PORT (raw TCP, e.g. ser2net),
                           telnet://HOST:PORT (plain telnet), rfc2217://HOST:PORT (telnet COM-PORT),
                           lava[:uart0] (inside a LAVA docker test action: LAVA_CONNECTION_COMMAND[_UART0]),
                           labgrid[:PLACE[/RESOURCE]] (a labgrid place, acquired and released; or a
                           target of --labgrid-env) or replay:FILE (a device played from a recording,
                           see --record; it starts no prerequisites); repeat it to spread the
                           scenarios over several devices in parallel. Default: $AT_SCENARIO_PORT, else
                           the simulator
  -b, --baud <rate>        baud rate (default: the scenario's device.baudRate, else 115200)
      --data-bits <n>      5, 6, 7 or 8 (default 8)
      --parity <p>         none, even, odd, mark or space (default none)
      --stop-bits <n>      1, 1.5 or 2 (default 1)
      --flow <f>           none or rtscts (default none)
      --reset <how>        none, soft (AT+RST) or hard (DTR/RTS; on --port lava: LAVA_HARD_RESET_COMMAND);
                           overrides the scenario's device.reset
      --banner <text|/re/> the banner a network serial server (ser2net's \`banner\`) sends before the
                           device's bytes: its text with C escapes (lab 3\\r\\n) or a /regex/; taken off
                           the front of what the server sends (shown in the transcript as the
                           server's), or the port does not open
  -c, --labgrid-env <file> a labgrid environment file (as labgrid-client -c reads it): --port
                           labgrid[:TARGET] opens the target's NetworkSerialPort (or RawSerialPort)
                           offline, or acquires its RemotePlace
      --labgrid-reserve <tag=value>
                           with --port labgrid: reserve a place with these tags (repeatable) and wait
                           for it; it is released when the run ends
      --labgrid-timeout <duration>
                           how long to wait for the reservation (default 10m)
      --var <name=value>   set a variable, repeatable; beats the scenario's vars
                           (--var host.ip=192.168.1.10 sets the address the device connects to); a name
                           no scenario uses gets a warning, with the value never shown
      --profile <file>     device profile of the built-in simulator (YAML, schema/device.schema.json):
                           access points, firmware strings, PKI, faults; beats the scenario's
                           simulator.profile
      --tag <tag>          run only scenarios with this tag (repeatable: any of them); selecting no
                           scenario is bad input (exit 2), and the message lists the tags there are
      --exclude-tag <tag>  skip scenarios with this tag (repeatable); leaving none is bad input (exit 2)
      --shard <i/n>        run only share i of n of the scenarios (1-based), for CI matrices; a share
                           left empty by more shards than scenarios says so and passes (exit 0)
      --env-file <path>    read environment variables from this file (default: ./.env if present);
                           variables already in the environment win (through the bin: node
                           itself never reads it)
      --color / --no-color force or disable colours (default: on for a terminal; off with CI=true)
      --reporter <list>    report files to write besides the transcripts (comma-separated or repeated):${REPORTER_HELP}
      --output-dir <dir>   where transcripts (always) and report files go (default: reports)
      --transcript-limit <size>
                           what one scenario's transcript may grow to (default 64MiB; K, M, G are
                           powers of 1024; 0: no limit); past it the traffic is left out, a marker
                           says where, and the JSON and JUnit reports say it was cut
      --bail               stop after the first scenario that does not pass (the rest: not run)
      --repeat <n>         run each scenario n times, one run after the other on the same device; every
                           run is reported, and the latency figures are over all of them
      --record <file>      record every byte both ways with its time, the steps, the port and the
                           variables to a .atrec file (secrets left out), for --port replay:<file>
      --timeout-scale <x>  multiply every step's timeout by x (a slow board: 2; the simulator: 0.5)
      --replay-speed <n>   with --port replay:FILE: 1 plays the recorded timing (default), 2 twice as
                           fast, 0 as fast as possible
      --no-prerequisites   start none of the scenarios' prerequisites (servers); a --port replay:FILE
                           implies it`,
    exitCodes: `Exit codes: 0 passed, 1 a step failed, 2 bad input (nothing was run),
            3 could not run (port, prerequisite, outputs), 4 only budgets failed (right answers, too late),
            70 internal error, 129 hung up (SIGHUP), 130 interrupted.
A closed stdout (| head, a full disk) stops progress output only; the run and its reports go on.`,
  },
  validate: {
    synopsis: `  at-scenario validate <scenario.yaml>...          check scenarios without running them`,
    options: `Options of validate (it accepts those of run too; these change what it checks):
      --var <name=value>   a variable the scenarios may use (a name no scenario uses gets a warning)
      --env-file <path>    read environment variables from this file (default: ./.env if present)
      --color / --no-color force or disable colours`,
    exitCodes: 'Exit codes: 0 no errors (warnings allowed), 2 errors (each shown at file:line:col).',
  },
  ports: {
    synopsis: `  at-scenario ports                                list serial ports, with USB vendor, product and serial number`,
    exitCodes: 'Exit codes: 0 listed (also when there is none), 2 bad input.',
  },
  import: {
    synopsis: `  at-scenario import <log.txt> [-o <run.atrec>] [--scenario <run.yaml>]
                                                   turn a pasted serial log into a recording to replay, and a scenario`,
    options: `Options of import:
  -o, --output <file>      the recording to write (default: the log's name with .atrec)
      --scenario <file>    also write the log as a scenario: host lines are send steps, device lines
                           their expectations (final results last, unsolicited lines as wait steps),
                           the line after a > prompt a payload; it passes on --port replay:<recording>`,
    exitCodes: 'Exit codes: 0 written, 2 bad input (the log cannot be read, the recording cannot be written).',
  },
  'import-doc': {
    synopsis: `  at-scenario import-doc <page.rst|page.md> [-o <dir>] [--url <page-url>] [--force]
                                                   turn an ESP-AT example page into scenarios, one per example`,
    options: `Options of import-doc:
  -o, --output <dir>       where the scenarios go, with their servers/ and certs/ (default: .)
      --url <url>          the page's address, for every step's doc: link (default: the page's path,
                           relative to the scenario)
      --force              write over scenarios that exist and differ from the page (default: show
                           the differences, write nothing, exit 1)`,
    exitCodes: `Exit codes: 0 written (or already the same), 1 an existing scenario differs from the page (the
            differences are shown; nothing written without --force), 2 bad input (no page, no example in it).`,
  },
  'record-session': {
    synopsis: `  at-scenario record-session [--port <port>] -o <new.yaml> [--record <file.atrec>]
                                                   a serial terminal on the device whose session is written as a scenario`,
    options: `Options of record-session:
  -o, --output <file>      the scenario to write when the session ends (Ctrl-C or Ctrl-D)
  -p, --port <port>        the device, as for run (default: $AT_SCENARIO_PORT, else the simulator);
                           --baud, --data-bits, --parity, --stop-bits, --flow, --banner, -c and
                           --labgrid-reserve as for run
      --profile <file>     the simulator's device profile (without --port)
      --record <file>      the recording of the session (default: the scenario's name with .atrec)
      --var <name=value>   host.ip: the address written as \${host.ip} in the scenario`,
    exitCodes: 'Exit codes: 0 written, 2 bad input, 3 could not open the port.',
  },
  sim: {
    synopsis: `  at-scenario sim [--pty | --listen tcp://HOST:PORT | --port <path>] [--profile <file>]
                                                   serve the simulator to other programs until Ctrl-C
  at-scenario sim --list-commands                  list the commands the simulator models, by command set`,
    options: `Options of sim:
      --pty                make a pseudo-terminal pair (socat) and print the path to open
      --listen <url>       accept TCP connections, e.g. tcp://127.0.0.1:3333 (a device per connection)
  -p, --port <path>        attach the simulator to an existing serial port or pseudo-terminal
      --profile <file>     the device profile (default: the doc's router, the project's test PKI)
      --list-commands      print the commands the simulator models, with their forms, and exit; any
                           other command it answers with ERROR, as the firmware answers an unknown one`,
    exitCodes: `Exit codes: 0 stopped by Ctrl-C or SIGTERM (or listed), 129 stopped by SIGHUP (as cleanly), 2 bad input
            (a bad profile), 3 could not serve.`,
  },
}

const COMMON_OPTIONS = `Options of every command:
  -h, --help               show this help; at-scenario <command> --help shows one command's
  -V, --version            show the version`

/** `at-scenario --help`: every command with its options. */
export const USAGE = `Usage:
${COMMANDS.map((c) => HELP[c].synopsis).join('\n')}

${COMMANDS.flatMap((c) => (HELP[c].options ? [HELP[c].options] : [])).join('\n\n')}

${COMMON_OPTIONS}

${HELP.run.exitCodes}
`

/** `at-scenario <command> --help`: that command's synopsis and options only. */
export function usageOf(command: Command): string {
  const { synopsis, options, exitCodes } = HELP[command]
  return `Usage:\n${synopsis}\n\n${options ? `${options}\n\n` : ''}${COMMON_OPTIONS}\n\n${exitCodes}\n`
}

export interface CliOptions {
  command: Command | 'help' | 'version'
  /** With `help`: the command whose usage to show (`at-scenario sim --help`); none for all of them. */
  helpFor?: Command
  files: string[]
  /** --port, in order; empty means $AT_SCENARIO_PORT or the simulator. */
  ports: string[]
  baud?: number
  line: { dataBits: 5 | 6 | 7 | 8; parity: 'none' | 'even' | 'odd' | 'mark' | 'space'; stopBits: 1 | 1.5 | 2; flow: 'none' | 'rtscts' }
  reset?: 'none' | 'soft' | 'hard'
  /** --shard i/n: 1-based share i of n. */
  shard?: { index: number; count: number }
  vars: Map<string, string>
  envFile?: string
  tags: string[]
  excludeTags: string[]
  color?: boolean
  /** --reporter: report files besides the transcripts. */
  reporters?: ReportFormatName[]
  /** --output-dir; the run command's default is `reports`. */
  outputDir?: string
  /** --transcript-limit, in bytes (0: no limit). */
  transcriptLimit?: number
  bail?: boolean
  /** sim: make a pseudo-terminal pair. */
  pty?: boolean
  /** sim: tcp://HOST:PORT to listen on. */
  listen?: string
  /** sim --list-commands: print what the simulator models. */
  listCommands?: boolean
  /** --profile: the simulator's device profile, as given (relative to the working directory). */
  profile?: string
  /** --record: the .atrec file to write the run to. */
  record?: string
  /** --replay-speed: time scale of a replay:FILE port (0: as fast as possible). */
  replaySpeed?: number
  /** --timeout-scale: every step timeout is multiplied by it. */
  timeoutScale?: number
  /** --repeat: runs of each scenario. */
  repeat?: number
  /** --no-prerequisites: start no prerequisite. */
  noPrerequisites?: boolean
  /** import -o: the recording to write; import-doc -o: the folder; record-session -o: the scenario. */
  output?: string
  /** --banner: a network serial server's banner. */
  banner?: BannerRule
  /** --labgrid-env, as given (relative to the working directory). */
  labgridEnv?: string
  /** --labgrid-reserve tag=value, repeatable. */
  labgridReserve?: string[]
  /** --labgrid-timeout, in ms. */
  labgridTimeoutMs?: number
  /** import --scenario: the scenario to write besides the recording. */
  scenarioOut?: string
  /** import-doc --url: the page's address. */
  docUrl?: string
  /** import-doc --force: write over scenarios that differ. */
  force?: boolean
}

/**
 * A mistake on the command line. `command` is set when the user named one, so that the message
 * can point at that command's --help.
 */
export class UsageError extends Error {
  command?: Command
  constructor(message: string, command?: Command) {
    super(message)
    if (command) this.command = command
  }
}

const DEFAULT_LINE: CliOptions['line'] = { dataBits: 8, parity: 'none', stopBits: 1, flow: 'none' }

const OPTIONS = {
  port: { type: 'string', short: 'p', multiple: true },
  baud: { type: 'string', short: 'b' },
  'data-bits': { type: 'string' },
  parity: { type: 'string' },
  'stop-bits': { type: 'string' },
  flow: { type: 'string' },
  reset: { type: 'string' },
  banner: { type: 'string' },
  'labgrid-env': { type: 'string', short: 'c' },
  'labgrid-reserve': { type: 'string', multiple: true },
  'labgrid-timeout': { type: 'string' },
  shard: { type: 'string' },
  var: { type: 'string', multiple: true },
  tag: { type: 'string', multiple: true },
  'exclude-tag': { type: 'string', multiple: true },
  'env-file': { type: 'string' },
  reporter: { type: 'string', multiple: true },
  'output-dir': { type: 'string' },
  'transcript-limit': { type: 'string' },
  bail: { type: 'boolean' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  pty: { type: 'boolean' },
  listen: { type: 'string' },
  'list-commands': { type: 'boolean' },
  profile: { type: 'string' },
  record: { type: 'string' },
  'replay-speed': { type: 'string' },
  'timeout-scale': { type: 'string' },
  repeat: { type: 'string' },
  'no-prerequisites': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  scenario: { type: 'string' },
  url: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const

function nothingGiven() {
  return { files: [] as string[], ports: [] as string[], vars: new Map<string, string>(), tags: [] as string[], excludeTags: [] as string[], line: DEFAULT_LINE }
}

/** An option whose value must be one of a few words; the error lists them. */
function oneOf<T>(option: string, value: string | undefined, choices: Record<string, T>, fallback: T): T {
  if (value === undefined) return fallback
  if (Object.hasOwn(choices, value)) return choices[value]!
  throw new UsageError(`${option} must be one of ${Object.keys(choices).join(', ')}, got \`${value}\``)
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 }

/** `64MiB`, `64M`, `512k`, `1048576`: a size in bytes (K, M, G are powers of 1024). */
function parseSize(option: string, value: string): number {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(value)
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined
  if (!m || unit === undefined || !Number.isSafeInteger(Number(m[1]) * unit)) throw new UsageError(`${option} needs a size such as 64MiB, 512K or a number of bytes (0: no limit), got \`${value}\``)
  return Number(m[1]) * unit
}

/** `--prot` → `--port`; `-P` → `-p` (a one-letter option is only suggested for a change of case). */
function unknownOption(raw: string): string {
  let suggestion: string | undefined
  if (raw.startsWith('--')) suggestion = didYouMean(raw, Object.keys(OPTIONS).map((name) => `--${name}`))
  else {
    const shorts = Object.values(OPTIONS).flatMap((o) => ('short' in o ? [`-${o.short}`] : []))
    suggestion = shorts.find((s) => s.toLowerCase() === raw.toLowerCase())
  }
  return `unknown option \`${raw}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`
}

/**
 * The command a first word names: a command word, else `run` (the word is a scenario file). A word
 * that is no file, has no YAML extension and is a near miss of a command (`valdate`) is a mistyped
 * command, not a scenario to report as unreadable.
 */
function commandOf(first: string | undefined, exists: (path: string) => boolean): { command: Command; explicit: boolean } {
  if (first !== undefined && (COMMANDS as readonly string[]).includes(first)) return { command: first as Command, explicit: true }
  if (first !== undefined && !/\.ya?ml$/i.test(first) && !exists(first)) {
    const suggestion = didYouMean(first, COMMANDS)
    if (suggestion) throw new UsageError(`unknown command \`${first}\`; did you mean \`${suggestion}\`?`)
  }
  return { command: 'run', explicit: false }
}

/**
 * argv to options. `exists` tells whether a path names a file (relative to the working directory),
 * to tell a mistyped command from a scenario file.
 */
export function parseCli(argv: string[], exists: (path: string) => boolean = existsSync): CliOptions {
  // A first, lenient pass finds the command and the first unknown option, so that the message can
  // name a near miss instead of parseArgs' generic text.
  const lenient = parseArgs({ args: argv, allowPositionals: true, strict: false, tokens: true, options: OPTIONS })
  const { command, explicit } = commandOf(lenient.positionals[0], exists)
  const named = explicit ? command : undefined
  if (lenient.values.help === true) return { ...nothingGiven(), command: 'help', ...(named ? { helpFor: named } : {}) }
  const unknown = lenient.tokens.find((t) => t.kind === 'option' && !Object.hasOwn(OPTIONS, t.name))
  if (unknown?.kind === 'option') throw new UsageError(unknownOption(unknown.rawName), named)
  try {
    return parseStrict(argv, named)
  } catch (e) {
    if (e instanceof UsageError && named && !e.command) e.command = named
    throw e
  }
}

function parseStrict(argv: string[], named: Command | undefined): CliOptions {
  let parsed
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS })
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''))
  }
  const { values, positionals } = parsed
  const base = nothingGiven()
  if (values.version) return { ...base, command: 'version' }
  const command: Command = named ?? 'run'
  const files = named ? positionals.slice(1) : positionals
  const ports = values.port ?? []
  if (command === 'ports') {
    if (files.length > 0) throw new UsageError(`ports takes no files, got \`${files[0]}\``)
    return { ...base, command }
  }
  if (values.scenario !== undefined && command !== 'import') throw new UsageError('--scenario belongs to `at-scenario import`')
  if ((values.url !== undefined || values.force) && command !== 'import-doc') throw new UsageError('--url and --force belong to `at-scenario import-doc`')
  if (command === 'import') {
    if (files.length !== 1) throw new UsageError('import takes one log file')
    if (values.scenario === '') throw new UsageError('--scenario needs a file')
    return { ...base, command, files, ...(values.output !== undefined ? { output: values.output } : {}), ...(values.scenario !== undefined ? { scenarioOut: values.scenario } : {}) }
  }
  if (command === 'import-doc') {
    if (files.length !== 1) throw new UsageError('import-doc takes one page (.rst or .md)')
    return {
      ...base,
      command,
      files,
      ...(values.output !== undefined ? { output: values.output } : {}),
      ...(values.url !== undefined ? { docUrl: values.url } : {}),
      ...(values.force ? { force: true } : {}),
    }
  }
  if (command === 'record-session') {
    if (files.length > 0) throw new UsageError(`record-session takes no files, got \`${files[0]}\``)
    if (values.output === undefined || values.output === '') throw new UsageError('record-session needs -o <new.yaml>, the scenario to write')
    if (ports.length > 1) throw new UsageError('record-session talks to one --port')
    if (values.profile !== undefined && ports.length > 0) throw new UsageError('--profile configures the built-in simulator; it has no effect with --port')
    const { baud } = numbersOf(values)
    return {
      ...base,
      ...labOptionsOf(values, ports),
      command,
      ports,
      line: lineOf(values),
      vars: varsOf(values.var ?? []),
      output: values.output,
      ...(baud !== undefined ? { baud } : {}),
      ...(values.profile !== undefined ? { profile: values.profile } : {}),
      ...(values.record !== undefined ? { record: values.record } : {}),
      ...(values['env-file'] !== undefined ? { envFile: values['env-file'] } : {}),
    }
  }
  checkCombination(command, files, ports, values)
  const reporters = reportersOf(values.reporter ?? [])
  const color = values['no-color'] ? false : values.color ? true : undefined
  const { baud, replaySpeed, timeoutScale, shard, repeat } = numbersOf(values)
  const transcriptLimit = values['transcript-limit'] === undefined ? undefined : parseSize('--transcript-limit', values['transcript-limit'])
  const reset = values.reset === undefined ? undefined : oneOf('--reset', values.reset, { none: 'none', soft: 'soft', hard: 'hard' } as const, 'none')
  const lab = labOptionsOf(values, ports)
  return {
    ...lab,
    command,
    files,
    ports,
    line: lineOf(values),
    ...(reset ? { reset } : {}),
    ...(shard ? { shard } : {}),
    vars: varsOf(values.var ?? []),
    tags: values.tag ?? [],
    excludeTags: values['exclude-tag'] ?? [],
    ...(baud !== undefined ? { baud } : {}),
    ...(values['env-file'] !== undefined ? { envFile: values['env-file'] } : {}),
    ...(color !== undefined ? { color } : {}),
    ...(reporters.length > 0 ? { reporters } : {}),
    ...(values['output-dir'] !== undefined ? { outputDir: values['output-dir'] } : {}),
    ...(transcriptLimit !== undefined ? { transcriptLimit } : {}),
    ...(values.bail ? { bail: true } : {}),
    ...(values.pty ? { pty: true } : {}),
    ...(values.listen !== undefined ? { listen: values.listen } : {}),
    ...(values['list-commands'] ? { listCommands: true } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    ...(values.record !== undefined ? { record: values.record } : {}),
    ...(replaySpeed !== undefined ? { replaySpeed } : {}),
    ...(timeoutScale !== undefined ? { timeoutScale } : {}),
    ...(repeat !== undefined ? { repeat } : {}),
    ...(values['no-prerequisites'] ? { noPrerequisites: true } : {}),
  }
}

type Values = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: typeof OPTIONS }>>['values']

/** Options that belong to another command, or that cannot work together. */
function checkCombination(command: Command, files: string[], ports: string[], values: Values): void {
  if (values.output !== undefined) throw new UsageError('-o/--output belongs to `at-scenario import`, `import-doc` and `record-session`')
  if (values['output-dir'] === '') throw new UsageError('--output-dir needs a directory')
  if (command === 'sim') {
    if (files.length > 0) throw new UsageError(`sim takes no files, got \`${files[0]}\``)
    if (ports.length > 1) throw new UsageError('sim serves one --port')
    const modes = [values.pty, values.listen, ports[0]].filter((v) => v !== undefined).length
    if (values['list-commands']) {
      if (modes > 0 || values.profile !== undefined) throw new UsageError('--list-commands takes no other option of sim')
      return
    }
    if (modes !== 1) throw new UsageError('sim needs exactly one of --pty, --listen tcp://HOST:PORT, --port <path> or --list-commands')
    if (values.listen !== undefined && !/^tcp:\/\/[^:/]+:\d+$/.test(values.listen)) {
      throw new UsageError(`--listen needs tcp://HOST:PORT, got \`${values.listen}\``)
    }
    return
  }
  if (files.length === 0) throw new UsageError('no scenario file given')
  if (values.pty || values.listen !== undefined) throw new UsageError('--pty and --listen belong to `at-scenario sim`')
  if (values['list-commands']) throw new UsageError('--list-commands belongs to `at-scenario sim`')
  if (values.profile !== undefined && ports.length > 0) throw new UsageError('--profile configures the built-in simulator; it has no effect with --port')
  if (values.record !== undefined && files.length > 1) throw new UsageError('--record records one scenario: give one scenario file')
  if (values.record !== undefined && values.repeat !== undefined && values.repeat.trim() !== '1') throw new UsageError('--record records one run: it cannot be combined with --repeat')
  if (values['replay-speed'] !== undefined && !ports.some((p) => p.startsWith('replay:'))) throw new UsageError('--replay-speed needs --port replay:FILE')
}

const REMOTE_PORT = /^(tcp|telnet|rfc2217):\/\/|^lava(:|$)|^labgrid(:|$)/

/** --banner and the labgrid options, checked against the ports they are for (when ports are given). */
function labOptionsOf(values: Values, ports: readonly string[]): Pick<CliOptions, 'banner' | 'labgridEnv' | 'labgridReserve' | 'labgridTimeoutMs'> {
  const out: Pick<CliOptions, 'banner' | 'labgridEnv' | 'labgridReserve' | 'labgridTimeoutMs'> = {}
  if (values.banner !== undefined) {
    if (ports.length > 0 && !ports.some((p) => REMOTE_PORT.test(p))) throw new UsageError('--banner is for a network serial server: --port tcp://, telnet://, rfc2217://, lava or labgrid')
    try {
      out.banner = parseBanner(values.banner)
    } catch (e) {
      if (e instanceof BannerSyntaxError) throw new UsageError(e.message)
      throw e
    }
  }
  const labgrid = ['labgrid-env', 'labgrid-reserve', 'labgrid-timeout'] as const
  const used = labgrid.filter((o) => values[o] !== undefined)
  if (used.length > 0 && ports.length > 0 && !ports.some((p) => /^labgrid(:|$)/.test(p))) throw new UsageError(`--${used[0]} needs --port labgrid`)
  if (values['labgrid-env'] !== undefined) {
    if (values['labgrid-env'] === '') throw new UsageError('--labgrid-env needs a file')
    out.labgridEnv = values['labgrid-env']
  }
  const reserve = values['labgrid-reserve']
  if (reserve !== undefined) {
    const bad = reserve.find((r) => !/^[a-z][a-z0-9_]*=[^\s=]+$/i.test(r))
    if (bad !== undefined) throw new UsageError(`--labgrid-reserve needs tag=value (a tag of the places, as labgrid-client reserve takes it), got \`${bad}\``)
    out.labgridReserve = [...reserve]
  }
  const timeout = values['labgrid-timeout']
  if (timeout !== undefined) {
    const checked = checkDuration(timeout)
    if ('problem' in checked) throw new UsageError(`--labgrid-timeout: ${checked.problem}; ${checked.hint}`)
    out.labgridTimeoutMs = checked.ms
  }
  return out
}

function varsOf(given: readonly string[]): Map<string, string> {
  const vars = new Map<string, string>()
  for (const v of given) {
    const eq = v.indexOf('=')
    if (eq <= 0) throw new UsageError(`--var needs name=value, got \`${v}\``)
    const name = v.slice(0, eq)
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(name)) throw new UsageError(`--var: \`${name}\` is not a variable name`)
    vars.set(name, v.slice(eq + 1))
  }
  return vars
}

function reportersOf(given: readonly string[]): ReportFormatName[] {
  const names = [...new Set(given.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean))]
  return names.map((r) => {
    if (isReportFormat(r)) return r
    const near = didYouMean(r, FORMATS)
    throw new UsageError(`--reporter: unknown report \`${r}\`${near ? `; did you mean \`${near}\`?` : ''} (${FORMATS.join(', ')})`)
  })
}

function lineOf(values: Values): CliOptions['line'] {
  return {
    dataBits: oneOf('--data-bits', values['data-bits'], { '5': 5, '6': 6, '7': 7, '8': 8 } as const, DEFAULT_LINE.dataBits),
    parity: oneOf('--parity', values.parity, { none: 'none', even: 'even', odd: 'odd', mark: 'mark', space: 'space' } as const, DEFAULT_LINE.parity),
    stopBits: oneOf('--stop-bits', values['stop-bits'], { '1': 1, '1.5': 1.5, '2': 2 } as const, DEFAULT_LINE.stopBits),
    flow: oneOf('--flow', values.flow, { none: 'none', rtscts: 'rtscts' } as const, DEFAULT_LINE.flow),
  }
}

type Numbers = Pick<CliOptions, 'baud' | 'replaySpeed' | 'timeoutScale' | 'shard' | 'repeat'>

function numbersOf(values: Values): Numbers {
  const out: Numbers = {}
  if (values.repeat !== undefined) {
    const n = Number(values.repeat)
    if (!/^\s*\d+\s*$/.test(values.repeat) || n < 1 || n > 1_000_000) throw new UsageError(`--repeat needs a whole number of runs from 1 to 1000000, got \`${values.repeat}\``)
    out.repeat = n
  }
  const scale = values['timeout-scale']
  if (scale !== undefined) {
    out.timeoutScale = Number(scale)
    if (scale.trim() === '' || !Number.isFinite(out.timeoutScale) || out.timeoutScale <= 0 || out.timeoutScale > 1000) {
      throw new UsageError(`--timeout-scale needs a number above 0 (at most 1000), got \`${scale}\``)
    }
  }
  if (values.baud !== undefined) {
    out.baud = Number(values.baud)
    if (!Number.isInteger(out.baud) || out.baud <= 0) throw new UsageError(`--baud needs a positive integer, got \`${values.baud}\``)
  }
  const speed = values['replay-speed']
  if (speed !== undefined) {
    out.replaySpeed = Number(speed)
    if (speed.trim() === '' || !Number.isFinite(out.replaySpeed) || out.replaySpeed < 0) {
      throw new UsageError(`--replay-speed needs a number >= 0 (0: as fast as possible), got \`${speed}\``)
    }
  }
  if (values.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(values.shard)
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard needs i/n with 1 <= i <= n, got \`${values.shard}\``)
    out.shard = { index: Number(m[1]), count: Number(m[2]) }
  }
  return out
}
