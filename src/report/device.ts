import type { RunResult, StepResult } from '../engine/result.ts'

export const SIMULATOR_DEVICE = 'at-scenario built-in ESP-AT simulator'

/**
 * Which device a run talked to, for reports, by a simple rule: a capture named `device` (a scenario
 * can say `expect: "/^AT version:(?<device>.*)$/"`), else the first line a step that sent AT+GMR
 * received that is neither its echo nor a result code (`AT version:2.4.0.0(...)`), else the
 * simulator when the run was on it. Fed the steps as they end (`step:end` carries their lines; the
 * run result keeps passed steps without them).
 */
export class DeviceWatch {
  private captured: string | undefined
  private gmr: string | undefined

  see(step: StepResult): void {
    this.captured ??= step.captures.device
    if (this.gmr !== undefined || !/^AT\+GMR\s*$/i.test(step.sent ?? '')) return
    this.gmr = step.lines?.find((l) => l.dir === 'rx' && l.kind === 'info' && l.text.trim() !== '')?.text
  }

  device(onSimulator: boolean): string | undefined {
    return this.captured ?? this.gmr ?? (onSimulator ? SIMULATOR_DEVICE : undefined)
  }
}

/** The device of a run from its result alone (its steps that still have their lines). */
export function deviceOf(result: RunResult, onSimulator: boolean): string | undefined {
  const watch = new DeviceWatch()
  for (const s of [...result.steps, ...result.teardown]) watch.see(s)
  return watch.device(onSimulator)
}
