import { execa } from 'execa'
import { LabgridCommandError } from './labgrid-error.ts'
import { shownCommand } from './command-line.ts'

type Env = Readonly<Record<string, string | undefined>>


/** What one client command may take; a reservation waits as long as `--labgrid-timeout` says. */
const COMMAND_TIMEOUT_MS = 60_000
const TAIL_LINES = 4

/**
 * labgrid's own client, run with an argv (no shell): `labgrid-client`, or the command in
 * `AT_SCENARIO_LABGRID_CLIENT` (Debian's python3-labgrid installs the module without the script:
 * `python3 -m labgrid.remote.client`). It finds its coordinator as it always does (LG_COORDINATOR,
 * LG_CROSSBAR for 0.4.x, `-x`), and names the user as `host/user` (LG_HOSTNAME, LG_USERNAME).
 */
export class LabgridClient {
  private readonly program: string[]
  private readonly env: Env
  private readonly config: string[]

  constructor(env: Env, envFile?: string) {
    this.env = env
    const given = env.AT_SCENARIO_LABGRID_CLIENT?.trim()
    this.program = given ? given.split(/\s+/) : ['labgrid-client']
    this.config = envFile ? ['-c', envFile] : []
  }

  /** `-p PLACE acquire`; resolves with the place's name as the client printed it (`+TOKEN` becomes the place). */
  async acquire(place: string, signal?: AbortSignal): Promise<string> {
    const out = await this.run(['-p', place, 'acquire'], signal)
    return /^acquired place (\S+)/m.exec(out)?.[1] ?? place
  }

  /** `-p PLACE env`: the acquired place as an environment file (YAML). */
  placeEnv(place: string, signal?: AbortSignal): Promise<string> {
    return this.run(['-p', place, 'env'], signal)
  }

  async release(place: string): Promise<void> {
    await this.run(['-p', place, 'release'])
  }

  async cancelReservation(token: string): Promise<void> {
    await this.run(['cancel-reservation', token])
  }

  /**
   * `reserve --wait --shell tag=value...`: resolves with the token once the coordinator has
   * allocated a place. On timeout or Ctrl-C the wait stops and the reservation is cancelled.
   */
  async reserve(filters: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<string> {
    const argv = ['reserve', '--wait', '--shell', ...filters]
    let token: string | undefined
    try {
      await this.run(argv, signal, timeoutMs, (text) => (token ??= /^export LG_TOKEN=(\S+)/m.exec(text)?.[1]))
    } catch (e) {
      if (token) await this.cancelReservation(token).catch(() => {})
      throw e
    }
    if (!token) throw new LabgridCommandError(`\`${this.shown(argv)}\` printed no LG_TOKEN`)
    return token
  }

  private shown(argv: readonly string[]): string {
    return shownCommand([...this.program, ...this.config, ...argv])
  }

  /** Runs one client command; rejects with a LinkOpenError that quotes the command and its last output. */
  private async run(argv: string[], signal?: AbortSignal, timeoutMs = COMMAND_TIMEOUT_MS, onStdout?: (soFar: string) => void): Promise<string> {
    const shown = this.shown(argv)
    if (signal?.aborted) throw new LabgridCommandError(`interrupted before \`${shown}\``)
    const child = execa(this.program[0]!, [...this.program.slice(1), ...this.config, ...argv], {
      env: this.env,
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
      timeout: timeoutMs,
      forceKillAfterDelay: 2000,
      ...(signal ? { cancelSignal: signal } : {}),
    })
    let stdout = ''
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString()
      onStdout?.(stdout)
    })
    const result = await child
    if ((result as { code?: string }).code === 'ENOENT') {
      throw new LabgridCommandError(
        `cannot run \`${this.program[0]}\`: not found. Install labgrid's client (pip install labgrid; on Debian, python3-labgrid has the module without the command: AT_SCENARIO_LABGRID_CLIENT='python3 -m labgrid.remote.client')`,
      )
    }
    if (result.isCanceled) throw new LabgridCommandError(`interrupted during \`${shown}\``, true)
    if (result.timedOut) throw new LabgridCommandError(`\`${shown}\` did not finish within ${formatSeconds(timeoutMs)}`, true)
    if (result.exitCode !== 0) {
      const tail = `${String(result.stderr ?? '')}\n${stdout}`.trim().split('\n').filter(Boolean).slice(-TAIL_LINES).join(' | ')
      throw new LabgridCommandError(`\`${shown}\` failed (exit code ${result.exitCode ?? result.signal})${tail ? `: ${tail}` : ''}`)
    }
    return stdout
  }
}

function formatSeconds(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`
}
