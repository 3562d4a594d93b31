import { parseArgs } from 'node:util'

export const USAGE = `Usage:
  at-scenario [run] <scenario.yaml>... [options]   run scenarios (on the built-in simulator unless --port is given)
  at-scenario validate <scenario.yaml>...          check scenarios without running them
  at-scenario sim [--pty | --listen tcp://HOST:PORT | --port <path>]
                                                   serve the simulator to other programs until Ctrl-C

Options:
  -p, --port <path>        serial port of the ESP-AT device (e.g. /dev/ttyUSB0), or
                           tcp://HOST:PORT for a raw TCP serial server (ser2net);
                           without it, the built-in ESP-AT simulator plays the device
  -b, --baud <rate>        baud rate (default: the scenario's device.baudRate, else 115200)
      --var <name=value>   set a variable, repeatable; beats the scenario's vars
                           (--var host.ip=192.168.1.10 sets the address the device connects to)
      --tag <tag>          run only scenarios with this tag (repeatable: any of them)
      --exclude-tag <tag>  skip scenarios with this tag (repeatable)
      --env-file <path>    read environment variables from this file (default: ./.env if present);
                           variables already in the environment win
      --color / --no-color force or disable colours (default: on for a terminal)

Options of sim:
      --pty                make a pseudo-terminal pair (socat) and print the path to open
      --listen <url>       accept TCP connections, e.g. tcp://127.0.0.1:3333 (a device per connection)
  -p, --port <path>        attach the simulator to an existing serial port or pseudo-terminal
  -h, --help               show this help
  -V, --version            show the version

Exit codes: 0 passed, 1 a step failed, 2 bad input (nothing was run),
            3 could not run (port, prerequisite), 130 interrupted.
`

export interface CliOptions {
  command: 'run' | 'validate' | 'sim' | 'help' | 'version'
  files: string[]
  port?: string
  baud?: number
  vars: Map<string, string>
  envFile?: string
  tags: string[]
  excludeTags: string[]
  color?: boolean
  /** sim: make a pseudo-terminal pair. */
  pty?: boolean
  /** sim: tcp://HOST:PORT to listen on. */
  listen?: string
}

export class UsageError extends Error {}

export function parseCli(argv: string[]): CliOptions {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string', short: 'p' },
        baud: { type: 'string', short: 'b' },
        var: { type: 'string', multiple: true },
        tag: { type: 'string', multiple: true },
        'exclude-tag': { type: 'string', multiple: true },
        'env-file': { type: 'string' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        pty: { type: 'boolean' },
        listen: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    })
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''))
  }
  const { values, positionals } = parsed
  if (values.help) return { command: 'help', files: [], vars: new Map(), tags: [], excludeTags: [] }
  if (values.version) return { command: 'version', files: [], vars: new Map(), tags: [], excludeTags: [] }
  let command: CliOptions['command'] = 'run'
  let files = positionals
  if (files[0] === 'run' || files[0] === 'validate' || files[0] === 'sim') {
    command = files[0]
    files = files.slice(1)
  }
  if (command === 'sim') {
    if (files.length > 0) throw new UsageError(`sim takes no files, got \`${files[0]}\``)
    const modes = [values.pty, values.listen, values.port].filter((v) => v !== undefined).length
    if (modes !== 1) throw new UsageError('sim needs exactly one of --pty, --listen tcp://HOST:PORT or --port <path>')
    if (values.listen !== undefined && !/^tcp:\/\/[^:/]+:\d+$/.test(values.listen)) {
      throw new UsageError(`--listen needs tcp://HOST:PORT, got \`${values.listen}\``)
    }
  } else {
    if (files.length === 0) throw new UsageError('no scenario file given')
    if (values.pty || values.listen !== undefined) throw new UsageError('--pty and --listen belong to `at-scenario sim`')
  }
  const vars = new Map<string, string>()
  for (const v of values.var ?? []) {
    const eq = v.indexOf('=')
    if (eq <= 0) throw new UsageError(`--var needs name=value, got \`${v}\``)
    const name = v.slice(0, eq)
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(name)) throw new UsageError(`--var: \`${name}\` is not a variable name`)
    vars.set(name, v.slice(eq + 1))
  }
  let baud: number | undefined
  if (values.baud !== undefined) {
    baud = Number(values.baud)
    if (!Number.isInteger(baud) || baud <= 0) throw new UsageError(`--baud needs a positive integer, got \`${values.baud}\``)
  }
  const color = values['no-color'] ? false : values.color ? true : undefined
  return {
    command,
    files,
    vars,
    tags: values.tag ?? [],
    excludeTags: values['exclude-tag'] ?? [],
    ...(values.port !== undefined ? { port: values.port } : {}),
    ...(baud !== undefined ? { baud } : {}),
    ...(values['env-file'] !== undefined ? { envFile: values['env-file'] } : {}),
    ...(color !== undefined ? { color } : {}),
    ...(values.pty ? { pty: true } : {}),
    ...(values.listen !== undefined ? { listen: values.listen } : {}),
  }
}
