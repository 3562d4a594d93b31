import { terminalText } from '../bytes/terminal-text.ts'
import type { SourceLookup } from '../diagnostics/code-frame.ts'
import { renderDiagnostic } from '../diagnostics/code-frame.ts'
import type { PrerequisiteResult, RunResult, StepResult, TranscriptLine } from '../engine/result.ts'
import type { RunReport, ScenarioReport } from './run-report.ts'
import { overallStatus } from './run-report.ts'

export interface TextOptions {
  color?: boolean
  sources: SourceLookup
}

const ARROW = { tx: '→', rx: '←' } as const

/**
 * Everything a person needs to understand a failed step, as plain text (or ANSI with `color`). What
 * the device (or a prerequisite) said is in it with its control characters escaped (`terminalText`).
 */
export function describeStepFailure(step: StepResult, options: TextOptions): string {
  const f = step.failure
  if (!f) return ''
  const title = `${step.phase === 'teardown' ? 'teardown step' : 'step'} "${terminalText(step.name)}" ${step.status === 'failed' ? 'failed' : 'errored'}: ${terminalText(f.message)}`
  const severity = step.optional ? 'warning' : 'error'
  const out = [renderDiagnostic({ code: f.reason, severity, message: step.optional ? `optional ${title}` : title, span: step.span }, options.sources, { color: !!options.color })]
  const pad = '   '
  if (step.expected.length > 0) {
    const marks = step.expected.map((e, i) => `${i < step.matched ? '✔' : i === step.matched ? '✖' : '·'} ${terminalText(e)}`)
    out.push(`${pad}expected, in order:`, ...marks.map((m) => `${pad}  ${m}`))
  }
  if (step.earlierFailures?.length) {
    out.push(`${pad}attempt ${step.attempts} of ${step.attempts}; earlier attempts: ${step.earlierFailures.map((e) => terminalText(e.message)).join('; ')}`)
  }
  if (f.errCode) out.push(`${pad}error code: ${terminalText(f.errCode)}${explainErrCode(f.errCode)}`)
  if (f.prerequisite) {
    const p = f.prerequisite
    out.push(`${pad}prerequisite "${terminalText(p.name)}": ${p.signal ? `killed by ${p.signal}` : `exit code ${p.exitCode ?? '?'}`}`)
    if (p.outputTail.length > 0) out.push(`${pad}its last output:`, ...p.outputTail.map((l) => `${pad}  | ${terminalText(l)}`))
  }
  if (step.latency?.resultMs !== undefined && step.budgetMs !== undefined) {
    const first = step.latency.firstByteMs !== undefined ? `first byte after ${formatMs(step.latency.firstByteMs)}, ` : ''
    out.push(`${pad}latency: ${first}answer after ${formatMs(step.latency.resultMs)}; budget ${step.budgetMs} ms`)
  }
  const lines = step.lines ?? []
  if (lines.length > 0) {
    out.push(`${pad}what crossed the link during the step:`, ...formatLines(lines, step.startedAt).map((l) => `${pad}  ${l}`))
  } else if (step.kind !== 'sleep') {
    out.push(`${pad}nothing was received during the step`)
  }
  if (step.doc) out.push(`${pad}see: ${step.doc}`)
  return out.join('\n')
}

/** Milliseconds with a tenth: latencies are compared with budgets, so 300 and 300.4 differ. */
export function formatMs(ms: number): string {
  return `${Math.round(ms * 10) / 10} ms`
}

/** A line longer than this (a flood without line breaks) is cut in the failure text; the transcript has it all. */
const LINE_SHOWN = 500

export function formatLines(lines: readonly TranscriptLine[], since: number): string[] {
  return lines.map((l) => {
    const text = l.text.length > LINE_SHOWN ? `${l.text.slice(0, LINE_SHOWN)}… (${l.text.length - LINE_SHOWN} more characters)` : l.text
    const t = `${l.at - since >= 0 ? '+' : ''}${Math.round(l.at - since)}ms`.padStart(8)
    const note = l.kind === 'urc' || l.kind === 'ready' ? '  (unsolicited)' : l.kind === 'echo' ? '  (echo)' : ''
    // Trailing spaces are invisible on a terminal, yet a device that sends `OK ` sent another line: show them.
    const trailing = /[ \t]+$/.exec(text)?.[0].length ?? 0
    const shown = trailing > 0 ? `${terminalText(text.slice(0, -trailing))}${'␠'.repeat(trailing)}` : terminalText(text)
    return `${t} ${ARROW[l.dir]} ${shown}${note}${trailing > 0 ? `  (${trailing} trailing space${trailing === 1 ? '' : 's'})` : ''}`
  })
}

export function describePrerequisiteFailure(p: PrerequisiteResult, options: TextOptions): string {
  const out = [
    renderDiagnostic(
      { code: 'prerequisite-failed', severity: 'error', message: `prerequisite "${terminalText(p.name)}" did not start: ${terminalText(p.message ?? '')}`, span: p.span },
      options.sources,
      { color: !!options.color },
    ),
  ]
  const hint = p.hint
  out.push(`   command: ${terminalText(p.command.join(' '))}`)
  if (p.outputTail.length > 0) out.push('   its last output:', ...p.outputTail.map((l) => `     | ${terminalText(l)}`))
  if (hint) out.push(`   hint: ${terminalText(hint)}`)
  return out.join('\n')
}

/**
 * Everything stderr shows after a scenario that did not pass: each prerequisite that did not start,
 * each step that failed (optional ones as warnings), and where its transcript is. Empty when there
 * is nothing to explain.
 */
export function describeScenarioFailures(report: ScenarioReport, options: TextOptions): string[] {
  const { result } = report
  const blocks: string[] = []
  for (const p of result.prerequisites) if (p.status === 'failed') blocks.push(describePrerequisiteFailure(p, options))
  for (const s of [...result.steps, ...result.teardown]) {
    if (s.failure && s.status !== 'skipped' && s.status !== 'passed') blocks.push(describeStepFailure(s, options))
  }
  if (blocks.length > 0 && report.transcript) blocks.push(`transcript: ${report.transcript}`)
  return blocks
}

/** The verdict of a run of several scenarios, after their own summary lines. */
export function runSummaryLine(report: RunReport): string {
  const counts = new Map<string, number>()
  for (const s of report.scenarios) {
    const key = s.notRun?.reason === 'bail' ? 'not run (--bail)' : s.result.status === 'not-run' ? 'not run' : s.result.status
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const verdict = { passed: 'PASSED', failed: 'FAILED', 'not-run': 'NOT RUN', interrupted: 'INTERRUPTED' }[overallStatus(report)]
  const parts = [...counts].map(([k, n]) => `${n} ${k}`)
  // With --repeat each run is an entry: say how many scenarios they are runs of.
  const repeated = report.scenarios.some((s) => s.result.repeat)
  const what = repeated
    ? plural(new Set(report.scenarios.map((s) => s.result.scenario.file)).size, 'scenario') + `, ${report.scenarios.length} runs`
    : `${report.scenarios.length} scenarios`
  return `${verdict} ${what}: ${parts.join(', ')} in ${(report.durationMs / 1000).toFixed(2)}s`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** The one-line verdict of a run. */
export function summaryLine(result: RunResult): string {
  const all = [...result.steps, ...result.teardown]
  const count = (s: StepResult['status']) => all.filter((r) => r.status === s).length
  const seconds = (result.durationMs / 1000).toFixed(2)
  const warnings = all.filter((r) => r.optional && (r.status === 'failed' || r.status === 'errored')).length
  const hard = (s: StepResult['status']) => all.filter((r) => r.status === s && !r.optional).length
  const parts = [`${count('passed')} passed`]
  if (hard('failed')) parts.push(`${hard('failed')} failed`)
  if (hard('errored')) parts.push(`${hard('errored')} errored`)
  if (warnings) parts.push(`${warnings} optional failed (warning)`)
  if (count('skipped')) parts.push(`${count('skipped')} skipped`)
  const verdict = { passed: 'PASSED', failed: 'FAILED', 'not-run': 'NOT RUN', interrupted: 'INTERRUPTED' }[result.status]
  const run = result.repeat ? ` [run ${result.repeat.index}/${result.repeat.of}]` : ''
  return `${verdict} ${terminalText(result.scenario.file)}${run}: ${parts.join(', ')} in ${seconds}s`
}

const ERR_SUBCATEGORIES: Record<string, string> = {
  '01': 'common error',
  '02': 'no CR LF terminator',
  '03': 'line does not start with AT, or is too long',
  '04': 'parameter length mismatch',
  '05': 'parameter type mismatch',
  '06': 'wrong number of parameters',
  '07': 'parameter out of range',
  '08': 'parameter could not be parsed',
  '09': 'unknown command',
  '0a': 'command failed',
  '0b': 'previous command still running',
  '0c': 'wrong command form',
}

function explainErrCode(code: string): string {
  const m = /^0x01([0-9a-f]{2})([0-9a-f]{4})$/i.exec(code)
  if (!m) return ''
  const what = ERR_SUBCATEGORIES[m[1]!.toLowerCase()]
  return what ? ` (${what}${/0[4578]/.test(m[1]!) ? `, parameter ${Number.parseInt(m[2]!, 16)}` : ''})` : ''
}
