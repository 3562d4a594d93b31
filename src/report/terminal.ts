import { terminalText } from '../bytes/terminal-text.ts'
import type { EngineEvent, EngineListener } from '../engine/events.ts'
import type { PrerequisiteResult, StepResult } from '../engine/result.ts'
import { formatDuration } from './durations.ts'
import { describeWait } from './wait-status.ts'
import type { RunningStep } from './wait-status.ts'

interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

export interface TerminalOptions {
  /** Colours of the icons; listr2 otherwise follows NO_COLOR and FORCE_COLOR. */
  color: boolean
  /** How often a running step's "waiting for … (time left)" is redrawn. Default: 250 ms. */
  tickMs?: number
}

interface TaskView {
  title: string
  output: string
  skip(message?: string): void
}

/**
 * Progress on a terminal with listr2's default renderer: a task per prerequisite and per step,
 * driven by engine events (listr2 is the view, the engine decides; tasks await what the events
 * resolve). A finished step shows its duration in milliseconds; a running one shows what it waits
 * for and the time it has left, redrawn every 250 ms. Resolves `done` when listr2 has finished drawing.
 */
export async function createTerminalReporter(options: TerminalOptions): Promise<{ listener: EngineListener; done: () => Promise<void> }> {
  const { Listr, ListrDefaultRendererLogLevels } = await import('listr2')
  const tickMs = options.tickMs ?? 250
  const prereqs = new Map<number, Deferred<PrerequisiteResult | undefined>>()
  const steps = new Map<string, Deferred<StepResult>>()
  const started = new Map<string, Deferred<TaskView>>()
  let ticker: { timer: ReturnType<typeof setInterval>; key: string; step: RunningStep; note?: string } | undefined
  let run: Promise<unknown> | undefined

  const stopTicker = () => {
    if (ticker) clearInterval(ticker.timer)
    ticker = undefined
  }
  // Redraws the running task's output line: what it waits for and the time left (and why it retries).
  const startTicker = (key: string, step: RunningStep, note?: string) => {
    stopTicker()
    const since = performance.now()
    const timer = setInterval(() => {
      void started.get(key)?.promise.then((task) => {
        if (ticker?.key !== key) return
        const wait = describeWait(step, performance.now() - since)
        task.output = note ? `${note}; ${wait}` : wait
      })
    }, tickMs)
    timer.unref?.()
    ticker = { timer, key, step, ...(note ? { note } : {}) }
  }

  const listener: EngineListener = (event: EngineEvent) => {
    switch (event.type) {
      case 'run:start': {
        for (const p of event.prerequisites) prereqs.set(p.index, deferred())
        for (const s of event.steps) {
          steps.set(`${s.phase}:${s.index}`, deferred())
          started.set(`${s.phase}:${s.index}`, deferred())
        }
        const tasks = [
          ...event.prerequisites.map((p) => ({
            title: `Start ${terminalText(p.name)}`,
            task: async (_: unknown, task: TaskView) => {
              const r = await prereqs.get(p.index)!.promise
              const name = terminalText(p.name)
              if (!r || r.status === 'skipped') return task.skip(`Start ${name} (skipped)`)
              if (r.status === 'failed') throw new Error(`Start ${name}: ${terminalText(r.message ?? '')}`)
              task.title = `Start ${name} (ready in ${r.readyMs} ms)`
            },
          })),
          ...event.steps.map((s) => ({
            title: s.phase === 'teardown' ? `teardown: ${terminalText(s.name)}` : terminalText(s.name),
            task: async (_: unknown, task: TaskView) => {
              const key = `${s.phase}:${s.index}`
              started.get(key)!.resolve(task)
              const r = await steps.get(key)!.promise
              const title = terminalText(s.phase === 'teardown' ? `teardown: ${r.name}` : r.name)
              if (r.status === 'skipped') return task.skip(`${title} (skipped)`)
              const took = `(${formatDuration(r.durationMs)}${r.attempts > 1 ? `, ${r.attempts} attempts` : ''})`
              if (r.status !== 'passed') {
                const message = terminalText(r.failure?.message ?? r.status)
                if (r.optional) return task.skip(`${title} ${took}: optional step ${r.status}: ${message}`)
                throw new Error(`${title} ${took}: ${message}`)
              }
              task.title = `${title} ${took}`
            },
          })),
        ]
        const plainColors = Object.fromEntries(Object.values(ListrDefaultRendererLogLevels).map((level) => [level, (s: string) => s]))
        const list = new Listr(tasks, {
          concurrent: false,
          exitOnError: false,
          registerSignalListeners: false,
          renderer: 'default',
          // The CLI only picks this reporter on a terminal; should listr2 disagree, fall back quietly.
          fallbackRenderer: 'silent',
          rendererOptions: { collapseErrors: true, ...(options.color ? {} : { color: plainColors }) },
        })
        run = list.run().catch(() => undefined)
        break
      }
      case 'prerequisite:end':
        prereqs.get(event.result.index)?.resolve(event.result)
        break
      case 'step:start':
        startTicker(`${event.phase}:${event.index}`, { kind: event.kind, expected: event.expected, waitMs: event.waitMs })
        break
      case 'step:retry': {
        const key = `${event.phase}:${event.index}`
        if (ticker?.key === key) startTicker(key, ticker.step, `attempt ${event.attempt - 1} ${terminalText(event.failure.message)}; attempt ${event.attempt}`)
        break
      }
      case 'step:end':
        stopTicker()
        steps.get(`${event.result.phase}:${event.result.index}`)?.resolve(event.result)
        break
      case 'run:end':
        stopTicker()
        for (const d of prereqs.values()) d.resolve(undefined)
        break
      default:
        break
    }
  }
  return {
    listener,
    done: async () => {
      stopTicker()
      await run
    },
  }
}
