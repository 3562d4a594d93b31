import { terminalText } from '../bytes/terminal-text.ts'
import type { EngineEvent, EngineListener, PlannedPrerequisite } from '../engine/events.ts'
import type { PrerequisiteResult, StepResult } from '../engine/result.ts'
import { formatDuration } from './durations.ts'
import { style } from './style.ts'
import { describeWait } from './wait-status.ts'
import type { RunningStep } from './wait-status.ts'

export interface PlainProgressOptions {
  out: { write(text: string): unknown }
  color: boolean
  /** A step still running after this long gets a line saying what it waits for. Default: 1000 ms. */
  firstNoticeMs?: number
  /** And again this often. Default: 10000 ms. */
  noticeEveryMs?: number
  clock?: () => number
}

/**
 * Progress for logs (CI, a pipe, a file): a line per prerequisite and per step when it ends, with
 * its duration, and no cursor movement, spinners or escape codes (unless `color`). A step that is
 * still running after a second says what it waits for and how long it has left, and says it again
 * every ten seconds, so that a log of a stuck run shows where it is stuck. Names and messages can
 * carry what a device printed: their control characters are shown escaped (`terminalText`).
 */
export function createPlainProgress(options: PlainProgressOptions): { listener: EngineListener; done: () => Promise<void> } {
  const { out, firstNoticeMs = 1000, noticeEveryMs = 10_000 } = options
  const clock = options.clock ?? (() => performance.now())
  const s = style(options.color)
  const line = (text: string) => out.write(`${text}\n`)
  let planned: PlannedPrerequisite[] = []
  const ended = new Set<number>()
  let timer: ReturnType<typeof setTimeout> | undefined
  let running: { title: string; step?: RunningStep; since: number } | undefined

  const stopNotices = () => {
    if (timer) clearTimeout(timer)
    timer = undefined
    running = undefined
  }
  const startNotices = (title: string, step?: RunningStep) => {
    stopNotices()
    running = { title, ...(step ? { step } : {}), since: clock() }
    const notice = (next: number) => {
      timer = setTimeout(() => {
        if (!running) return
        const elapsed = clock() - running.since
        const what = running.step ? describeWait(running.step, elapsed) : `starting (${formatDuration(elapsed)} so far)`
        line(`${s.cyan('❯')} ${running.title}: ${what}`)
        notice(noticeEveryMs)
      }, next)
      // Progress must never keep the process alive on its own.
      timer.unref?.()
    }
    notice(firstNoticeMs)
  }
  // Prerequisites after a failed one are skipped without events: say so before the first step.
  const flushSkippedPrerequisites = () => {
    for (const p of planned) if (!ended.has(p.index)) line(`${s.yellow('↓')} Start ${terminalText(p.name)} ${s.dim('(skipped)')}`)
    planned = []
  }

  const listener: EngineListener = (event: EngineEvent) => {
    switch (event.type) {
      case 'run:start':
        planned = event.prerequisites
        break
      case 'prerequisite:start':
        startNotices(`Start ${terminalText(event.name)}`)
        break
      case 'prerequisite:end':
        stopNotices()
        ended.add(event.result.index)
        line(prerequisiteLine(event.result, s))
        break
      case 'step:start':
        flushSkippedPrerequisites()
        startNotices(stepTitle(event), { kind: event.kind, expected: event.expected, waitMs: event.waitMs })
        break
      case 'step:retry': {
        if (!running) break
        const { title, step } = running
        line(`${s.yellow('↻')} ${title}: attempt ${event.attempt - 1} ${terminalText(event.failure.message)}; trying again`)
        // The next attempt has the whole timeout again: so has the countdown.
        startNotices(title, step)
        break
      }
      case 'step:end':
        flushSkippedPrerequisites()
        stopNotices()
        line(stepLine(event.result, s))
        break
      case 'run:end':
        flushSkippedPrerequisites()
        stopNotices()
        break
      default:
        break
    }
  }
  return { listener, done: async () => stopNotices() }
}

function stepTitle(step: { phase: 'steps' | 'teardown'; name: string }): string {
  const name = terminalText(step.name)
  return step.phase === 'teardown' ? `teardown: ${name}` : name
}

function prerequisiteLine(p: PrerequisiteResult, s: ReturnType<typeof style>): string {
  const name = terminalText(p.name)
  if (p.status === 'ready') return `${s.green('✔')} Start ${name} ${s.dim(`(ready in ${p.readyMs ?? '?'} ms)`)}`
  if (p.status === 'skipped') return `${s.yellow('↓')} Start ${name} ${s.dim('(skipped)')}`
  return `${s.red('✖')} Start ${name}: ${terminalText(p.message ?? 'did not start')}`
}

function stepLine(r: StepResult, s: ReturnType<typeof style>): string {
  const title = stepTitle(r)
  if (r.status === 'skipped') return `${s.yellow('↓')} ${title} ${s.dim('(skipped)')}`
  const took = s.dim(`(${formatDuration(r.durationMs)}${r.attempts > 1 ? `, ${r.attempts} attempts` : ''})`)
  if (r.status === 'passed') return `${s.green('✔')} ${title} ${took}`
  const message = terminalText(r.failure?.message ?? r.status)
  if (r.optional) return `${s.yellow('⚠')} ${title} ${took}: optional step ${r.status}: ${message}`
  return `${s.red('✖')} ${title} ${took}: ${message}`
}
