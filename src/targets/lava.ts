import { LinkOpenError } from '../link/open-link.ts'
import type { OpenLink } from '../link/stream-link.ts'
import { parseCommandLine, shownCommand } from './command-line.ts'
import type { Target, TargetKind } from './target.ts'
import { telnetTarget } from './tcp.ts'

type Env = Readonly<Record<string, string | undefined>>

const PRIMARY = 'LAVA_CONNECTION_COMMAND'
const RESET = 'LAVA_HARD_RESET_COMMAND'
/** What a reset command may take before the step says so; the wait for `ready` comes on top. */
const RESET_TIMEOUT_MS = 60_000

/**
 * `--port lava`, `--port lava:uart0`: the board of a LAVA `docker` test action, as LAVA describes it
 * to the container: `LAVA_CONNECTION_COMMAND` (the connection tagged primary) or
 * `LAVA_CONNECTION_COMMAND_<NAME>` (each of the device's connections), a `telnet HOST PORT` to the
 * dispatcher's ser2net; `LAVA_HARD_RESET_COMMAND` for `--reset hard`; `LAVA_BOARD_ID` to name it.
 */
export const lavaKind: TargetKind = {
  name: 'lava',
  form: 'lava[:CONNECTION]',
  parse(given, settings) {
    const m = /^lava(?::(.+))?$/.exec(given)
    if (!m) return undefined
    const env = settings.env ?? {}
    const variable = connectionVariable(m[1], env)
    const command = env[variable]!
    const at = telnetAddress(command, variable)
    const board = env.LAVA_BOARD_ID ? `LAVA board ${env.LAVA_BOARD_ID}` : 'the LAVA device'
    const target = telnetTarget(at.host, at.port, settings, given, `${board} at telnet://${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port} (${variable})`)
    const reset = env[RESET]
    return reset ? withLabReset(target, reset, env) : target
  },
}

/** The variable `lava` or `lava:NAME` reads; an error that lists the ones there are when it is not set. */
function connectionVariable(name: string | undefined, env: Env): string {
  const named = Object.keys(env)
    .filter((k) => k.startsWith(`${PRIMARY}_`) && env[k])
    .sort()
  const names = named.map((k) => k.slice(PRIMARY.length + 1).toLowerCase())
  const listed = names.length ? `; LAVA gave ${named.join(', ')} (--port ${names.map((n) => `lava:${n}`).join(', ')})` : ''
  if (name !== undefined) {
    const variable = `${PRIMARY}_${name.toUpperCase()}`
    if (env[variable]) return variable
    throw new LinkOpenError(`--port lava:${name}: ${variable} is not set${listed || '; no LAVA connection command is set (is this a LAVA docker test action on a device with connection commands?)'}`)
  }
  if (env[PRIMARY]) return PRIMARY
  // No connection is tagged primary: one connection is still unambiguous.
  if (named.length === 1) return named[0]!
  if (named.length > 1) throw new LinkOpenError(`--port lava: ${PRIMARY} is not set (no connection is tagged primary)${listed}: name one`)
  throw new LinkOpenError(
    `--port lava: ${PRIMARY} is not set: at-scenario runs inside a LAVA \`docker\` test action, which exports the device's connection commands (the device dictionary's \`connection_commands\`)`,
  )
}

/** Options of telnet(1) that take a value, so that the host is not mistaken for one. */
const TELNET_VALUE_OPTIONS = new Set(['-b', '-e', '-l', '-n', '-S', '-X'])

/** `telnet [options] HOST [PORT]` to a host and port; any other console command is an error that says what works. */
export function telnetAddress(command: string, variable: string): { host: string; port: number } {
  const parsed = parseCommandLine(command)
  const argv = 'commands' in parsed && parsed.commands.length === 1 ? parsed.commands[0]! : undefined
  const program = argv?.[0]?.split('/').pop()
  if (!argv || program !== 'telnet') {
    throw new LinkOpenError(
      `${variable} is \`${command}\`: at-scenario opens \`telnet HOST PORT\` consoles (LAVA's ser2net ones); for another kind of console give --port yourself (telnet://HOST:PORT, tcp://HOST:PORT, rfc2217://HOST:PORT or a serial device)`,
    )
  }
  const rest: string[] = []
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!
    if (TELNET_VALUE_OPTIONS.has(a)) i++
    else if (!a.startsWith('-')) rest.push(a)
  }
  const [host, port = '23', ...more] = rest
  if (!host || more.length > 0 || !/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new LinkOpenError(`${variable} is \`${shownCommand(argv)}\`: expected \`telnet HOST PORT\` with a port number`)
  }
  return { host, port: Number(port) }
}

/** The target with LAVA's hard-reset command as its `--reset hard`. */
function withLabReset(target: Target, command: string, env: Env): Target {
  return {
    ...target,
    async open(): Promise<OpenLink> {
      const link = await target.open()
      const hardReset: NonNullable<OpenLink['hardReset']> = {
        label: RESET,
        timeoutMs: RESET_TIMEOUT_MS,
        run: async (signal) => (await import('./lab-command.ts')).runLabCommand(RESET, command, { env, signal, timeoutMs: RESET_TIMEOUT_MS }),
      }
      return {
        description: link.description,
        ...(link.banner ? { banner: link.banner } : {}),
        hardReset,
        write: (bytes) => link.write(bytes),
        onData: (listener) => link.onData(listener),
        onClose: (listener) => link.onClose(listener),
        close: () => link.close(),
      }
    },
  }
}
