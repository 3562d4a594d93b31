import { execa } from 'execa'
import { parseCommandLine, shownCommand } from './command-line.ts'

const TAIL_LINES = 5

/**
 * Runs a command a lab gave as a line of text (LAVA's `LAVA_HARD_RESET_COMMAND`): without a shell
 * when it is plain words and quotes, its `&&`-joined commands one after the other, stopping at the
 * first that fails, as `sh` would; through `sh -c` when it needs a shell (pipes, `$VAR`...), which is
 * what LAVA's documentation does with it. Each runs in a process group of its own, killed whole on
 * timeout and Ctrl-C, so that a script that leaves a child behind cannot hold the run.
 * Resolves when all exited 0; rejects with a message that names the command and its exit.
 */
export async function runLabCommand(
  label: string,
  line: string,
  options: { env: Readonly<Record<string, string | undefined>>; signal: AbortSignal; timeoutMs: number },
): Promise<void> {
  const parsed = parseCommandLine(line)
  const commands = 'commands' in parsed ? parsed.commands : [['sh', '-c', line]]
  if (commands.length === 0) throw new Error(`${label} is empty`)
  const deadline = Date.now() + options.timeoutMs
  for (const argv of commands) await runOne(label, argv, options, deadline)
}

async function runOne(label: string, argv: string[], options: { env: Readonly<Record<string, string | undefined>>; signal: AbortSignal; timeoutMs: number }, deadline: number): Promise<void> {
  const shown = shownCommand(argv)
  if (options.signal.aborted) throw new Error(`${label}: interrupted before \`${shown}\``)
  const child = execa(argv[0]!, argv.slice(1), {
    env: options.env,
    extendEnv: false,
    stdin: 'ignore',
    all: true,
    reject: false,
    detached: true,
    cleanup: false,
  })
  let why: string | undefined
  const killGroup = (reason: string) => {
    why ??= reason
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  const timer = setTimeout(() => killGroup(`did not finish within ${Math.round(options.timeoutMs / 1000)} s`), Math.max(0, deadline - Date.now()))
  const onAbort = () => killGroup('was interrupted')
  options.signal.addEventListener('abort', onAbort, { once: true })
  // Whatever happens to this run, the command's group does not outlive the process.
  const onExit = () => killGroup('was left behind')
  process.once('exit', onExit)
  try {
    const result = await child
    if (why) throw new Error(`${label}: \`${shown}\` ${why}${outputTail(result.all)}`)
    if ((result as { code?: string }).code === 'ENOENT') throw new Error(`${label}: cannot run \`${argv[0]}\`: no such program (is it installed where at-scenario runs, e.g. in the container?)`)
    if (result.exitCode !== 0) {
      const how = result.exitCode !== undefined ? `exited with code ${result.exitCode}` : `was ended by ${result.signal ?? 'a signal'}`
      throw new Error(`${label}: \`${shown}\` ${how}${outputTail(result.all)}`)
    }
  } finally {
    clearTimeout(timer)
    options.signal.removeEventListener('abort', onAbort)
    process.off('exit', onExit)
  }
}

function outputTail(all: unknown): string {
  const text = typeof all === 'string' ? all.trimEnd() : ''
  if (!text) return ''
  return `; its last output: ${text.split('\n').slice(-TAIL_LINES).join(' | ')}`
}
