import type { RunResult } from '../engine/result.ts'

export const SIMULATOR_DEVICE = 'at-scenario built-in ESP-AT simulator'

/**
 * Which device a run talked to, for reports, by a simple rule: a capture named `device` (a scenario
 * can say `expect: "/^AT version:(?<device>.*)$/"`), else the first line a step that sent AT+GMR
 * received that is neither its echo nor a result code (`AT version:2.4.0.0(...)`), else the simulator when the run was on it.
 */
export function deviceOf(result: RunResult, onSimulator: boolean): string | undefined {
  const steps = [...result.steps, ...result.teardown]
  for (const s of steps) if (s.captures.device !== undefined) return s.captures.device
  for (const s of steps) {
    if (!/^AT\+GMR\s*$/i.test(s.sent ?? '')) continue
    const first = s.lines.find((l) => l.dir === 'rx' && l.kind === 'info' && l.text.trim() !== '')
    if (first) return first.text
  }
  return onSimulator ? SIMULATOR_DEVICE : undefined
}
