import { spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { basename, delimiter, extname, join } from 'node:path'
import type { PrerequisiteResult, StepResult } from '../engine/result.ts'
import type { StartStream, StreamContext } from './formats.ts'
import type { ScenarioReport } from './run-report.ts'

/**
 * `--reporter lava`: each scenario as a LAVA test set, with a test case per prerequisite and step and
 * one for the scenario after the set, as a LAVA test shell reads them from the log:
 *
 *   <LAVA_SIGNAL_TESTSET START tcp-echo>
 *   <LAVA_SIGNAL_TESTCASE TEST_CASE_ID=01-set-wi-fi-mode-to-station RESULT=pass MEASUREMENT=6 UNITS=ms>
 *   <LAVA_SIGNAL_TESTSET STOP>
 *   <LAVA_SIGNAL_TESTCASE TEST_CASE_ID=tcp-echo RESULT=pass MEASUREMENT=0.493 UNITS=seconds>
 *
 * When `lava-test-case` (and `lava-test-set`) are on PATH, as in a LAVA test shell, they are called
 * instead, so that LAVA records the results its own way; their output goes to stdout. LAVA splits a
 * signal's parameters at spaces and ends it at `>`, and keeps names of up to 100 characters: an ID is
 * the step's number and its name in lower case, with anything but letters, digits, `.`, `_` and `-`
 * made `-`. Results: pass, fail (failed or errored), skip (not run); an optional step that failed
 * passes, as in JUnit.
 */
export const startLava: StartStream = (context) => {
  const sets = new Unique()
  const tools = { testCase: onPath('lava-test-case', context.env), testSet: onPath('lava-test-set', context.env) }
  return (report) => {
    const file = report.result.scenario.file
    const set = sets.next(slug(basename(file, extname(file))) || 'scenario')
    const out = new LavaOutput(context, tools)
    out.set('start', set)
    for (const c of lavaCases(report)) out.testCase(c)
    out.set('stop')
    out.testCase(scenarioCase(report, set))
  }
}

export type LavaResult = 'pass' | 'fail' | 'skip' | 'unknown'

export interface LavaCase {
  id: string
  result: LavaResult
  measurement?: { value: number; units: string }
}

const MAX_ID = 100

/** The test cases of a scenario's set, in order: the port (when it did not open), prerequisites, steps, teardown. */
export function lavaCases(report: ScenarioReport): LavaCase[] {
  const ids = new Unique()
  const cases: LavaCase[] = []
  if (report.notRun?.reason === 'link-error') cases.push({ id: ids.next('open-port'), result: 'fail' })
  for (const p of report.result.prerequisites) cases.push(prerequisiteCase(p, ids))
  for (const s of [...report.result.steps, ...report.result.teardown]) cases.push(stepCase(s, ids))
  return cases
}

function prerequisiteCase(p: PrerequisiteResult, ids: Unique): LavaCase {
  const result: LavaResult = p.status === 'ready' ? 'pass' : p.status === 'failed' ? 'fail' : 'skip'
  return { id: ids.next(`prerequisite-${slug(p.name) || p.index + 1}`), result, ...(p.readyMs !== undefined ? { measurement: { value: Math.round(p.readyMs), units: 'ms' } } : {}) }
}

function stepCase(s: StepResult, ids: Unique): LavaCase {
  const number = String(s.index + 1).padStart(2, '0')
  const iteration = s.iteration ? `-${s.iteration.replace(/\//g, 'of').replace(/\s+/g, '-')}` : ''
  const id = ids.next(`${s.phase === 'teardown' ? 'teardown-' : ''}${number}-${slug(s.name) || 'step'}${iteration}`)
  const result: LavaResult = s.status === 'skipped' ? 'skip' : s.status === 'passed' || s.optional ? 'pass' : 'fail'
  return { id, result, ...(s.status !== 'skipped' ? { measurement: { value: Math.round(s.durationMs), units: 'ms' } } : {}) }
}

function scenarioCase(report: ScenarioReport, id: string): LavaCase {
  const { status, durationMs } = report.result
  const notRunSkip = report.notRun !== undefined && report.notRun.reason !== 'link-error'
  const result: LavaResult = status === 'passed' ? 'pass' : notRunSkip ? 'skip' : 'fail'
  return { id, result, ...(report.notRun ? {} : { measurement: { value: Math.round(durationMs) / 1000, units: 'seconds' } }) }
}

/** The signal line `lava-test-case` itself prints. */
export function testCaseSignal(c: LavaCase): string {
  const m = c.measurement ? ` MEASUREMENT=${c.measurement.value} UNITS=${c.measurement.units}` : ''
  return `<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=${c.id} RESULT=${c.result}${m}>`
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 80)
}

/** Names made unique by a `-2`, `-3`... suffix, within LAVA's length. */
class Unique {
  private readonly used = new Set<string>()

  next(base: string): string {
    let name = base.slice(0, MAX_ID)
    for (let n = 2; this.used.has(name); n++) name = `${base.slice(0, MAX_ID - String(n).length - 1)}-${n}`
    this.used.add(name)
    return name
  }
}

const TOOL_TIMEOUT_MS = 10_000

/** Where the lines go: LAVA's tools when they are there, else the signals on stdout. */
class LavaOutput {
  private readonly context: StreamContext
  private readonly tools: { testCase?: string; testSet?: string }

  constructor(context: StreamContext, tools: { testCase?: string; testSet?: string }) {
    this.context = context
    this.tools = tools
  }

  set(what: 'start' | 'stop', name?: string): void {
    const signal = what === 'start' ? `<LAVA_SIGNAL_TESTSET START ${name}>` : '<LAVA_SIGNAL_TESTSET STOP>'
    this.call(this.tools.testSet, what === 'start' ? ['start', name!] : ['stop'], signal)
  }

  testCase(c: LavaCase): void {
    const args = [c.id, '--result', c.result, ...(c.measurement ? ['--measurement', String(c.measurement.value), '--units', c.measurement.units] : [])]
    this.call(this.tools.testCase, args, testCaseSignal(c))
  }

  /**
   * Runs the tool, synchronously so that its lines keep their place among ours (once per step, after
   * the scenario: the run's timing is not touched); a tool that fails is said once and the signal
   * printed instead.
   */
  private call(tool: string | undefined, args: string[], signal: string): void {
    if (tool) {
      const r = spawnSync(tool, args, { env: this.context.env, encoding: 'utf8', timeout: TOOL_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] })
      if (r.stdout) this.context.stdout.write(r.stdout)
      if (!r.error && r.status === 0) return
      const why = r.error ? r.error.message : `exit code ${r.status ?? r.signal}${r.stderr ? `: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}` : ''}`
      this.context.warn(`${basename(tool)} failed (${why}); the LAVA signals are printed instead`)
    }
    this.context.stdout.write(`${signal}\n`)
  }
}

/** An executable of that name in one of PATH's folders. */
function onPath(name: string, env: StreamContext['env']): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}
