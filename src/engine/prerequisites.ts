import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { resolve as resolvePath } from 'node:path'
import type { ResultPromise } from 'execa'
import type { Prerequisite } from '../source/types.ts'
import { escapeRegExp } from '../source/template.ts'
import type { Variables } from '../source/variables.ts'
import { OutputTail } from './output-tail.ts'
import type { Redactor } from '../bytes/redact.ts'

const STOP_GRACE_MS = 3000
const PORT_RETRY_MS = 25
const CONNECT_ATTEMPT_MS = 1000

/** A started prerequisite process. */
export class RunningPrerequisite {
  readonly name: string
  readonly command: string[]
  readonly tail = new OutputTail(20)
  readonly process: ResultPromise
  exit: { code?: number; signal?: string; error?: string } | undefined
  private readonly exited: Promise<void>
  private stopping = false

  constructor(name: string, command: string[], process: ResultPromise) {
    this.name = name
    this.command = command
    this.process = process
    const collect = (chunk: Buffer) => this.tail.push(chunk.toString('utf8'))
    process.stdout?.on('data', collect)
    process.stderr?.on('data', collect)
    this.exited = process.then(
      (r) => {
        this.exit = {
          ...(r.exitCode !== undefined ? { code: r.exitCode } : {}),
          ...(r.signal ? { signal: r.signal } : {}),
          ...(r.failed && r.exitCode === undefined && !r.signal ? { error: r.shortMessage } : {}),
        }
      },
      (e: Error) => {
        this.exit = { error: e.message }
      },
    )
  }

  get pid(): number | undefined {
    return this.process.pid
  }

  get wasStopped(): boolean {
    return this.stopping
  }

  /** Resolves when the process has exited, however it ended. */
  whenExited(): Promise<void> {
    return this.exited
  }

  /** SIGTERM to its process group, SIGKILL after the grace period. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping = true
    if (this.exit) return
    this.signal('SIGTERM')
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs)
    await this.exited
    clearTimeout(timer)
    // The group may hold children the process left behind.
    this.signal('SIGKILL')
  }

  /** Immediate and synchronous: for a second Ctrl-C or the runner's own exit. */
  kill(): void {
    this.stopping = true
    this.signal('SIGKILL')
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.pid
    if (pid === undefined) return
    try {
      process.kill(-pid, signal)
    } catch {
      // Already gone.
    }
  }
}

export type StartOutcome =
  | { ok: true; running: RunningPrerequisite; readyMs: number }
  | { ok: false; running?: RunningPrerequisite; message: string; hint?: string }

/**
 * Starts a prerequisite from its templated argv, without a shell, in a process group of its own,
 * and waits until it is ready: its port accepts connections, it printed the line, or the delay passed.
 */
export async function startPrerequisite(
  p: Prerequisite,
  vars: Variables,
  scenarioDir: string,
  env: Readonly<Record<string, string | undefined>>,
  redactor: Redactor,
  signal: AbortSignal,
): Promise<StartOutcome> {
  const argv = p.run.map((t) => vars.render(t))
  const name = redactor.text(vars.render(p.name))
  let readyPort: number | undefined
  if (p.ready.kind === 'port') {
    const value = vars.render(p.ready.port)
    readyPort = Number(value)
    // Checked before anything starts: a bad port would otherwise throw inside the socket code.
    if (!Number.isInteger(readyPort) || readyPort < 1 || readyPort > 65535) {
      return { ok: false, message: `\`ready.port\` is \`${redactor.text(value)}\`, not a TCP port (1 to 65535)` }
    }
  }
  const cwd = p.cwd ? resolvePath(scenarioDir, vars.render(p.cwd)) : scenarioDir
  const extraEnv = Object.fromEntries(p.env.map((e) => [e.name, vars.render(e.value)]))
  const { execa } = await import('execa')
  const started = performance.now()
  const child = execa(argv[0]!, argv.slice(1), {
    cwd,
    env: { ...env, PYTHONUNBUFFERED: '1', ...extraEnv },
    extendEnv: false,
    reject: false,
    detached: true,
    cleanup: true,
    stdin: 'ignore',
    buffer: false,
  })
  const running = new RunningPrerequisite(name, argv.map((a) => redactor.text(a)), child)
  const exitedEarly = running.whenExited().then(() => 'exited' as const)
  let onAbort: (() => void) | undefined
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted')
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
  const ready = p.ready
  let readiness: Promise<'ready' | 'timeout'>
  let timeoutMs = 0
  switch (ready.kind) {
    case 'started':
      readiness = Promise.resolve('ready')
      break
    case 'delay':
      readiness = new Promise((r) => setTimeout(() => r('ready'), ready.ms).unref())
      break
    case 'port': {
      timeoutMs = ready.timeoutMs
      readiness = waitForPort(readyHost(p, vars), readyPort!, ready.timeoutMs, running)
      break
    }
    case 'stdout': {
      timeoutMs = ready.timeoutMs
      const line = ready.line
      const test =
        line.kind === 'regex'
          ? (() => {
              const re = new RegExp(vars.render(line.pattern, escapeRegExp), line.flags)
              return (l: string) => re.test(l)
            })()
          : line.kind === 'line'
            ? ((text: string) => (l: string) => l === text)(vars.render(line.text))
            : () => false
      readiness = waitForLine(child, test, ready.timeoutMs)
      break
    }
  }
  const outcome = await Promise.race([readiness, exitedEarly, aborted])
  signal.removeEventListener('abort', onAbort!)
  if (outcome === 'ready') {
    // A process that dies at once (bad arguments) may still pass a `started` check: give it a tick.
    if (ready.kind === 'started') await new Promise((r) => setTimeout(r, 50))
    if (!running.exit) return { ok: true, running, readyMs: performance.now() - started }
  }
  if (outcome === 'aborted') {
    await running.stop(500)
    return { ok: false, running, message: 'interrupted before it was ready' }
  }
  if (outcome === 'timeout') {
    await running.stop()
    return { ok: false, running, message: `not ready after ${timeoutMs} ms (${describeReady(p, vars)})` }
  }
  await running.whenExited()
  return { ok: false, running, ...explainExit(running, argv[0]!) }
}

/** Where a `ready.port` is checked: `ready.host`, else the address the device uses, `host.ip`. */
function readyHost(p: Prerequisite, vars: Variables): string {
  return p.ready.kind === 'port' && p.ready.host ? vars.render(p.ready.host) : (vars.get('host.ip') ?? '127.0.0.1')
}

function describeReady(p: Prerequisite, vars: Variables): string {
  const r = p.ready
  if (r.kind === 'port') return `nothing accepted connections on ${readyHost(p, vars)}:${vars.render(r.port)}`
  if (r.kind === 'stdout') return 'the expected line was not printed'
  return ''
}

/** Why a prerequisite ended before it was ready, with what to do about it. */
export function explainExit(running: RunningPrerequisite, program: string): { message: string; hint?: string } {
  const exit = running.exit ?? {}
  const output = running.tail.get().join('\n')
  if (exit.error && /ENOENT/.test(exit.error)) {
    return { message: `cannot start \`${program}\`: command not found`, hint: `install it or put it on PATH${/python/i.test(program) ? '; choose the interpreter with PYTHON=/path/to/python3' : ''}` }
  }
  const module = /ModuleNotFoundError: No module named '([^']+)'/.exec(output)
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`
  if (module) {
    const m = module[1]!.split('.')[0]!
    return {
      message: `${how} before it was ready: \`${program}\` has no Python module \`${m}\``,
      hint: `install it (\`pip install ${m}\`, or on Debian \`apt-get install python3-${m}\`), or choose an interpreter that has it: PYTHON=/usr/bin/python3`,
    }
  }
  return { message: `${how} before it was ready` }
}

/**
 * Resolves when host:port accepts a connection, or at the deadline. Each attempt has its own
 * timeout too: a dropped SYN (a wrong `host.ip`) must not hold the run for the kernel's retries.
 */
function waitForPort(host: string, port: number, timeoutMs: number, running: RunningPrerequisite): Promise<'ready' | 'timeout'> {
  return new Promise((resolve) => {
    let socket: Socket | undefined
    let done = false
    const settle = (outcome: 'ready' | 'timeout') => {
      if (done) return
      done = true
      clearTimeout(deadline)
      socket?.destroy()
      resolve(outcome)
    }
    const deadline = setTimeout(() => settle('timeout'), timeoutMs)
    deadline.unref()
    const attempt = () => {
      if (done || running.exit || running.wasStopped) return // the race reports the exit
      const s = connect({ host, port, timeout: Math.min(timeoutMs, CONNECT_ATTEMPT_MS) })
      socket = s
      s.once('connect', () => settle('ready'))
      const retry = () => {
        s.destroy()
        if (!done) setTimeout(attempt, PORT_RETRY_MS).unref()
      }
      s.once('timeout', retry)
      s.once('error', retry)
    }
    attempt()
  })
}

function waitForLine(child: ResultPromise, test: (line: string) => boolean, timeoutMs: number): Promise<'ready' | 'timeout'> {
  return new Promise((resolve) => {
    const tail = new OutputTail(1)
    // Unreferenced: when the process exits first, this timer must not keep the runner alive.
    const timer = setTimeout(() => resolve('timeout'), timeoutMs).unref()
    const onData = (chunk: Buffer) => {
      for (const line of tail.push(chunk.toString('utf8'))) {
        if (test(line)) {
          clearTimeout(timer)
          child.stdout?.off('data', onData)
          child.stderr?.off('data', onData)
          resolve('ready')
          return
        }
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
  })
}
