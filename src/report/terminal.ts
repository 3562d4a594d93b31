import type { EngineEvent, EngineListener } from '../engine/events.ts'
import type { PrerequisiteResult, StepResult } from '../engine/result.ts'

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
  /** Use the plain line-per-task renderer (no spinners, no cursor movement). */
  plain: boolean
  stdout: NodeJS.WriteStream
}

/**
 * Progress with listr2, one task per prerequisite and per step, driven by engine events: listr2 is
 * the view, the engine decides. Resolves `done` when the view has finished drawing.
 */
export async function createTerminalReporter(options: TerminalOptions): Promise<{ listener: EngineListener; done: () => Promise<void> }> {
  const { Listr, PRESET_TIMER } = await import('listr2')
  const prereqs = new Map<number, Deferred<PrerequisiteResult | undefined>>()
  const steps = new Map<string, Deferred<StepResult>>()
  const running = new Map<string, { output: string }>()
  let run: Promise<unknown> | undefined

  const listener: EngineListener = (event: EngineEvent) => {
    switch (event.type) {
      case 'run:start': {
        for (const p of event.prerequisites) prereqs.set(p.index, deferred())
        for (const s of event.steps) steps.set(`${s.phase}:${s.index}`, deferred())
        const tasks = [
          ...event.prerequisites.map((p) => ({
            title: `Start ${p.name}`,
            task: async (_: unknown, task: { skip: (m?: string) => void; title: string }) => {
              const r = await prereqs.get(p.index)!.promise
              if (!r || r.status === 'skipped') return task.skip(`Start ${p.name} (skipped)`)
              if (r.status === 'failed') throw new Error(`${p.name}: ${(r.message ?? '').split('\n')[0]}`)
              task.title = `Start ${p.name} (ready in ${r.readyMs} ms)`
            },
          })),
          ...event.steps.map((s) => ({
            title: s.phase === 'teardown' ? `teardown: ${s.name}` : s.name,
            task: async (_: unknown, task: { skip: (m?: string) => void; title: string; output: string }) => {
              running.set(`${s.phase}:${s.index}`, task)
              const r = await steps.get(`${s.phase}:${s.index}`)!.promise
              const title = s.phase === 'teardown' ? `teardown: ${r.name}` : r.name
              if (r.status === 'skipped') return task.skip(`${title} (skipped)`)
              if (r.status !== 'passed') {
                if (r.optional) return task.skip(`${title} (optional, ${r.status}: ${r.failure?.message ?? ''})`)
                throw new Error(`${title}: ${r.failure?.message ?? r.status}`)
              }
              task.title = title
            },
          })),
        ]
        const list = new Listr(tasks, {
          concurrent: false,
          exitOnError: false,
          registerSignalListeners: false,
          renderer: options.plain ? 'simple' : 'default',
          fallbackRenderer: 'simple',
          rendererOptions: { timer: PRESET_TIMER, collapseErrors: false },
          fallbackRendererOptions: { timer: PRESET_TIMER },
        })
        run = list.run().catch(() => undefined)
        break
      }
      case 'prerequisite:end':
        prereqs.get(event.result.index)?.resolve(event.result)
        break
      case 'step:retry': {
        const task = running.get(`${event.phase}:${event.index}`)
        if (task) task.output = `attempt ${event.attempt - 1} failed (${event.failure.message}); retrying`
        break
      }
      case 'step:end':
        steps.get(`${event.result.phase}:${event.result.index}`)?.resolve(event.result)
        break
      case 'run:end':
        for (const d of prereqs.values()) d.resolve(undefined)
        break
      default:
        break
    }
  }
  return {
    listener,
    done: async () => {
      await run
    },
  }
}
