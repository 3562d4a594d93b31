import { setFlagsFromString } from 'node:v8'
import { Worker } from 'node:worker_threads'
import type { InboxEntry } from '../protocol/inbox.ts'
import type { Matcher, MatchOutcome } from '../protocol/matchers.ts'
import { regexMatcher } from '../protocol/matchers.ts'

/**
 * A scenario's regular expressions run against whatever the device sends, and V8's backtracking
 * engine can take exponential time (`/(a+)+$/` on a line of 30 `a` and a `!` blocks the event loop
 * for minutes: no step timeout, no Ctrl-C). Each pattern is therefore run where its cost is bounded:
 *
 * 1. on V8's linear-time engine (the `l` flag), when it accepts the pattern: the same parser and the
 *    same JavaScript semantics, run by an automaton in time linear in the line, on the spot;
 * 2. on the spot too when the pattern has no quantifier at all: each start position then tries at
 *    most as many paths as the pattern has alternatives, a bound that does not grow with the line;
 * 3. anything else (lookarounds, backreferences, the `i` or `u` flag on Node 20, large counts) in a
 *    worker thread: the event loop stays free, so the step's timeout and Ctrl-C still end the step,
 *    and the worker is terminated then.
 *
 * Only (3) costs anything, a message round trip per line offered (tens of microseconds).
 */

/** How a pattern is run; for tests and the lint. */
export type RegexPlacement = 'linear' | 'bounded' | 'worker'

let linearEngine: boolean | undefined

/** Whether V8's linear-time engine is there (it sits behind a flag that is read when a pattern is compiled). */
function hasLinearEngine(): boolean {
  if (linearEngine === undefined) {
    try {
      setFlagsFromString('--enable-experimental-regexp-engine')
      // eslint-disable-next-line no-invalid-regexp -- `l` exists once the flag above is set
      linearEngine = new RegExp('a', 'l').flags.includes('l')
    } catch {
      linearEngine = false
    }
  }
  return linearEngine
}

/** Compiled once per pattern: a refused compile throws, and a throw per step costs more than the step. */
const LINEAR = new Map<string, RegExp | undefined>()

function linearRegExp(source: string, flags: string): RegExp | undefined {
  if (!hasLinearEngine()) return undefined
  const key = `${flags}/${source}`
  if (LINEAR.has(key)) return LINEAR.get(key)
  let regex: RegExp | undefined
  try {
    regex = new RegExp(source, `${flags}l`)
  } catch {
    regex = undefined // "Cannot be executed in linear time": a feature the automaton lacks
  }
  // Patterns with captured values in them differ per run: keep the cache from growing without end.
  if (LINEAR.size >= 1000) LINEAR.clear()
  LINEAR.set(key, regex)
  return regex
}

/**
 * Whether a pattern has no quantifier (`*`, `+`, `?`, `{n}`). Conservative: a `*` inside a class or an
 * escaped brace still counts, which only sends a harmless pattern to the worker.
 */
function hasNoQuantifier(source: string): boolean {
  const plain = source.replace(/\\./g, 'x')
  return !/[*+{]/.test(plain) && !/[^(]\?/.test(plain) && !plain.startsWith('?')
}

export function regexPlacement(source: string, flags: string): RegexPlacement {
  if (linearRegExp(source, flags)) return 'linear'
  return hasNoQuantifier(source) ? 'bounded' : 'worker'
}

/** A matcher for a scenario's regular expression (already checked to compile), run as `regexPlacement` says. */
export function userRegexMatcher(source: string, flags: string, label: string): Matcher {
  const clean = flags.replace(/[gy]/g, '')
  const linear = linearRegExp(source, clean)
  if (linear) return { ...regexMatcher(linear, label), pattern: source }
  if (hasNoQuantifier(source)) return regexMatcher(new RegExp(source, clean), label)
  return workerRegexMatcher(source, clean, label)
}

type WorkerAnswer = { groups: Record<string, string> } | null

/**
 * A regex matcher whose matching happens in a worker: `prepare` starts it for an entry and resolves
 * when the answer is in; `offer` then answers from it. One entry at a time, in order, as the
 * exchange offers them.
 */
function workerRegexMatcher(source: string, flags: string, label: string): Matcher {
  const answers = new Map<number, WorkerAnswer>()
  let running: { seq: number; length: number; done: Promise<void>; job: Job } | undefined
  /** What was being matched when the step ended, for its timeout's message. */
  let stopped: string | undefined
  const describe = (r: { length: number }) => `the regular expression was still being matched against a line of ${r.length} characters`
  return {
    label,
    pattern: source,
    links: [],
    prepare(entry) {
      if (entry.kind === 'echo' || answers.has(entry.seq)) return undefined
      if (running?.seq === entry.seq) return running.done
      running?.job.cancel()
      const job = REGEX_WORKERS.exec(source, flags, entry.text)
      const done = job.answer.then(
        (answer) => {
          answers.set(entry.seq, answer)
          if (running?.job === job) running = undefined
        },
        () => {}, // cancelled: the exchange is over
      )
      running = { seq: entry.seq, length: entry.text.length, done, job }
      return done
    },
    cancel() {
      if (running) stopped = describe(running)
      running?.job.cancel()
      running = undefined
      answers.clear()
    },
    busy: () => (running ? describe(running) : stopped),
    offer(entry: InboxEntry): MatchOutcome {
      if (entry.kind === 'echo') return { kind: 'no' }
      const answer = answers.get(entry.seq)
      answers.delete(entry.seq)
      if (!answer) return { kind: 'no' }
      return { kind: 'match', captures: answer.groups }
    },
    reset() {
      answers.clear()
      stopped = undefined
    },
  }
}

interface Job {
  answer: Promise<WorkerAnswer>
  cancel(): void
}

const WORKER_CODE = `
const { parentPort } = require('node:worker_threads')
parentPort.on('message', ({ source, flags, text }) => {
  const m = new RegExp(source, flags).exec(text)
  const groups = {}
  if (m && m.groups) for (const [k, v] of Object.entries(m.groups)) if (v !== undefined) groups[k] = v
  parentPort.postMessage(m ? { groups } : null)
})
`

/**
 * Worker threads for regular expressions, one per job under way (several ports run side by side)
 * and a couple kept idle for the next line. A cancelled job's worker may be deep in a catastrophic
 * match: it is terminated, not reused. Workers never keep the process alive.
 */
class RegexWorkers {
  private readonly idle: Worker[] = []

  exec(source: string, flags: string, text: string): Job {
    const worker = this.idle.pop() ?? this.spawn()
    let settle: { resolve: (a: WorkerAnswer) => void; reject: (e: Error) => void } | undefined
    const answer = new Promise<WorkerAnswer>((resolve, reject) => (settle = { resolve, reject }))
    const onMessage = (a: WorkerAnswer) => {
      done()
      if (this.idle.length < 2) this.idle.push(worker)
      else void worker.terminate()
      settle?.resolve(a)
    }
    const onError = (e: Error) => {
      done()
      settle?.reject(e)
    }
    const onExit = () => onError(new Error('the regular expression worker exited'))
    const done = () => {
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
    }
    worker.on('message', onMessage)
    worker.on('error', onError)
    worker.on('exit', onExit)
    worker.postMessage({ source, flags, text })
    return {
      answer,
      cancel: () => {
        done()
        void worker.terminate()
        settle?.reject(new Error('cancelled'))
      },
    }
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_CODE, { eval: true })
    worker.unref()
    return worker
  }
}

const REGEX_WORKERS = new RegexWorkers()
