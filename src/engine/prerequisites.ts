import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { resolve as resolvePath } from 'node:path'
import type { ResultPromise } from 'execa'
import type { Prerequisite } from '../source/types.ts'
import { escapeRegExp } from '../source/template.ts'
import type { Variables } from '../source/variables.ts'
import { OutputTail } from './output-tail.ts'
import type { Redactor } from '../bytes/redact.ts'
import { isAlive, listenerOn, PREREQUISITE_MARK, processesOf } from './process-tree.ts'
import type { ProcessEntry } from './process-tree.ts'

const STOP_GRACE_MS = 3000
const PORT_RETRY_MS = 25
const CONNECT_ATTEMPT_MS = 1000
/** The check that nothing listens on a `ready.port` yet: loopback and local addresses answer at once. */
const FREE_PORT_PROBE_MS = 500
/** After SIGKILL: how long the processes get to vanish (the kernel's part), and then the pipes to close. */
const AFTER_KILL_MS = 1000
const POLL_MS = 25

/** A process a prerequisite started outside its process group, which teardown stopped too. */
export interface EscapedProcess {
  pid: number
  command: string
  /** The signal it ended by: SIGTERM, or SIGKILL when SIGTERM was not enough within the grace period. */
  signal: 'SIGTERM' | 'SIGKILL'
}

/** A started prerequisite process. */
export class RunningPrerequisite {
  readonly name: string
  readonly command: string[]
  readonly tail = new OutputTail(20)
  readonly process: ResultPromise
  /** The value of PREREQUISITE_MARK in its environment, which its children inherit. */
  readonly mark: string
  exit: { code?: number; signal?: string; error?: string } | undefined
  /** Processes outside its group (setsid) that stopping it found and stopped: teardown says so. */
  readonly escaped: EscapedProcess[] = []
  private readonly exited: Promise<void>
  private readonly stoppedHooks: (() => void)[] = []
  /** The process itself has exited (its output pipes may still be open in a child). */
  private processGone = false
  private stopping = false

  constructor(name: string, command: string[], process: ResultPromise, mark = '') {
    this.name = name
    this.command = command
    this.process = process
    this.mark = mark
    const collect = (chunk: Buffer) => this.tail.push(chunk.toString('utf8'))
    process.stdout?.on('data', collect)
    process.stderr?.on('data', collect)
    process.once('exit', () => (this.processGone = true))
    this.exited = process.then(
      (r) => {
        this.processGone = true
        this.exit = {
          ...(r.exitCode !== undefined ? { code: r.exitCode } : {}),
          ...(r.signal ? { signal: r.signal } : {}),
          ...(r.failed && r.exitCode === undefined && !r.signal ? { error: r.shortMessage } : {}),
        }
      },
      (e: Error) => {
        this.processGone = true
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

  /** Runs `hook` once the run is done with it (stopPrerequisites calls `stopped`): its port claim is released. */
  onStopped(hook: () => void): void {
    this.stoppedHooks.push(hook)
  }

  stopped(): void {
    for (const hook of this.stoppedHooks.splice(0)) hook()
  }

  /**
   * SIGTERM to its process group and to the processes it started outside the group, SIGKILL to
   * all of them after the grace period. Never waits for ever: output pipes still held by a process
   * that could not be found are closed on this side.
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping = true
    // Found before any signal, while the parent links that lead to them still exist.
    const others = this.others()
    if (this.exit && others.length === 0) return
    const signalled = new Map<ProcessEntry, EscapedProcess['signal']>(others.map((o) => [o, 'SIGTERM']))
    this.signal('SIGTERM')
    for (const o of others) signalPid(o.pid, 'SIGTERM')
    const allGone = () => this.processGone && others.every((o) => !isAlive(o))
    if (!(await waitFor(allGone, graceMs))) {
      this.signal('SIGKILL')
      for (const o of others) {
        if (!isAlive(o)) continue
        signalPid(o.pid, 'SIGKILL')
        signalled.set(o, 'SIGKILL')
      }
      await waitFor(allGone, AFTER_KILL_MS)
    }
    // A process started while it shut down, and marked as its own: no grace for it.
    for (const late of this.others().filter((l) => !others.some((o) => o.pid === l.pid))) {
      signalPid(late.pid, 'SIGKILL')
      signalled.set(late, 'SIGKILL')
    }
    await this.letGo()
    // The group may hold children the process left behind.
    this.signal('SIGKILL')
    for (const [o, signal] of signalled) if (o.pgid !== this.pid) this.escaped.push({ pid: o.pid, command: o.command, signal })
  }

  /**
   * Resolves once the process has exited and its output pipes are closed. They close when the
   * last process holding them is gone; one that was not found (no /proc, a cleared environment)
   * must not hold the run for ever: after a moment, this side lets go of them.
   */
  async letGo(): Promise<void> {
    await waitFor(() => this.processGone, AFTER_KILL_MS)
    if (!(await settlesWithin(this.exited, AFTER_KILL_MS))) {
      this.process.stdout?.destroy()
      this.process.stderr?.destroy()
    }
    await this.exited
  }

  /** Immediate and synchronous: for a second Ctrl-C or the runner's own exit. */
  kill(): void {
    this.stopping = true
    for (const o of this.others()) signalPid(o.pid, 'SIGKILL')
    this.signal('SIGKILL')
  }

  /** Its processes outside itself that are still running (Linux; elsewhere none are known). */
  private others(): ProcessEntry[] {
    const pid = this.pid
    if (pid === undefined || !this.mark) return []
    return processesOf(pid, this.mark, !this.processGone)
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.pid
    if (pid === undefined) return
    signalPid(-pid, signal)
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // Already gone.
  }
}

/** Polls `done` until it holds (true) or `ms` pass (false). */
async function waitFor(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms
  while (!done()) {
    if (performance.now() >= deadline) return false
    await new Promise((r) => setTimeout(r, POLL_MS))
  }
  return true
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)))
  const settled = await Promise.race([promise.then(() => true), timeout])
  clearTimeout(timer)
  return settled
}

/** Who gets a prerequisite's `ready.port` while it runs. */
export interface PortHolder {
  prerequisite: string
  scenario: string
}

/**
 * The `ready.port`s of the prerequisites running in one suite, across the scenarios that run side
 * by side on several devices: two that want one port would otherwise meet each other's server,
 * and the second would be "ready" at once, talking to the first's.
 */
export class PortClaims {
  private readonly held = new Map<number, PortHolder>()

  /** Takes the port for `holder`; returns who has it instead, if someone does. */
  claim(port: number, holder: PortHolder): PortHolder | undefined {
    const other = this.held.get(port)
    if (other) return other
    this.held.set(port, holder)
    return undefined
  }

  release(port: number, holder: PortHolder): void {
    if (this.held.get(port) === holder) this.held.delete(port)
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
  ports?: { claims: PortClaims; scenario: string },
): Promise<StartOutcome> {
  const name = redactor.text(vars.render(p.name))
  if (p.ready.kind !== 'port') return launch(p, vars, scenarioDir, env, redactor, signal, undefined)
  const value = vars.render(p.ready.port)
  const port = Number(value)
  // Checked before anything starts: a bad port would otherwise throw inside the socket code.
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, message: `\`ready.port\` is \`${redactor.text(value)}\`, not a TCP port (1 to 65535)` }
  }
  const holder: PortHolder = { prerequisite: name, scenario: ports?.scenario ?? '' }
  const other = ports?.claims.claim(port, holder)
  if (other) {
    const whose = other.scenario === holder.scenario ? `the prerequisite \`${other.prerequisite}\` before it` : `the prerequisite \`${other.prerequisite}\` of ${other.scenario}, which runs at the same time on another device`
    return {
      ok: false,
      message: `its \`ready.port\` ${port} is taken by ${whose}`,
      hint: 'scenarios that run side by side need their servers on ports of their own: give each scenario its own port in `vars`',
    }
  }
  const release = () => ports?.claims.release(port, holder)
  // A server left over from an earlier run would make this one "ready" at once, and the scenario would talk to it.
  const host = readyHost(p, vars)
  if (await acceptsConnections(host, port)) {
    release()
    const seen = listenerOn(port)
    return {
      ok: false,
      message: `its \`ready.port\` ${port} on ${host} is already in use, before it started: ${seen ? `pid ${seen.pid} (${redactor.text(seen.command)}) listens on it` : 'another process listens on it'}`,
      hint: 'stop that process (a server left over from an earlier run?), or give the prerequisite another port',
    }
  }
  const outcome = await launch(p, vars, scenarioDir, env, redactor, signal, port)
  if (outcome.ok) outcome.running.onStopped(release)
  else release()
  return outcome
}

/** Starts the process and waits until it is ready (`readyPort`: the `ready.port`, checked already). */
async function launch(
  p: Prerequisite,
  vars: Variables,
  scenarioDir: string,
  env: Readonly<Record<string, string | undefined>>,
  redactor: Redactor,
  signal: AbortSignal,
  readyPort: number | undefined,
): Promise<StartOutcome> {
  const argv = p.run.map((t) => vars.render(t))
  const name = redactor.text(vars.render(p.name))
  const cwd = p.cwd ? resolvePath(scenarioDir, vars.render(p.cwd)) : scenarioDir
  const extraEnv = Object.fromEntries(p.env.map((e) => [e.name, vars.render(e.value)]))
  const { execa } = await import('execa')
  const started = performance.now()
  // Inherited by whatever it starts: how teardown finds a child that left the process group.
  const mark = `${process.pid}.${randomBytes(6).toString('hex')}`
  const child = execa(argv[0]!, argv.slice(1), {
    cwd,
    env: { ...env, PYTHONUNBUFFERED: '1', ...extraEnv, [PREREQUISITE_MARK]: mark },
    extendEnv: false,
    reject: false,
    detached: true,
    cleanup: true,
    stdin: 'ignore',
    buffer: false,
  })
  const running = new RunningPrerequisite(name, argv.map((a) => redactor.text(a)), child, mark)
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

/** Whether something accepts a connection on host:port now (a short attempt: a filtered port counts as free). */
function acceptsConnections(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: FREE_PORT_PROBE_MS })
    const done = (listening: boolean) => {
      s.destroy()
      resolve(listening)
    }
    s.once('connect', () => done(true))
    s.once('timeout', () => done(false))
    s.once('error', () => done(false))
  })
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
