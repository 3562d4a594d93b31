import { terminalText } from '../bytes/terminal-text.ts'
import type { Span } from '../diagnostics/diagnostic.ts'
import { summaryLine } from './failure-text.ts'
import type { RunReport, ScenarioReport } from './run-report.ts'

/** One thing that failed in a run, as the end of the run lists it. */
export interface FailedItem {
  where: string
  name: string
  reason: string
  message: string
}

/**
 * What made the run fail, in order: every step that failed or errored (optional ones are warnings,
 * shown with their scenario) and every prerequisite that did not start, with where it is written.
 */
export function failedItems(report: Pick<RunReport, 'scenarios'>): FailedItem[] {
  const items: FailedItem[] = []
  for (const s of report.scenarios) {
    const { result } = s
    const run = result.repeat ? ` (run ${result.repeat.index}/${result.repeat.of})` : ''
    for (const p of result.prerequisites) {
      if (p.status === 'failed') items.push({ where: at(p.span), name: `prerequisite ${p.name}${run}`, reason: 'prerequisite-failed', message: p.message ?? 'did not start' })
    }
    for (const step of [...result.steps, ...result.teardown]) {
      if ((step.status !== 'failed' && step.status !== 'errored') || step.optional || !step.failure) continue
      items.push({ where: at(step.span), name: `${step.phase === 'teardown' ? 'teardown: ' : ''}${step.name}${run}`, reason: step.failure.reason, message: step.failure.message })
    }
    if (s.notRun?.reason === 'link-error') items.push({ where: result.scenario.file, name: `open ${result.target}${run}`, reason: 'link-error', message: s.notRun.message })
  }
  return items
}

/**
 * The end of a run's console output, before its verdict line: with several scenarios (or runs of
 * one) a line per scenario, then the list of what failed (`file:line:col  step name  — reason`), so
 * that a long log need not be searched for the ✖. Empty for a single scenario that passed.
 */
export function endOfRunText(report: Pick<RunReport, 'scenarios'>): string {
  const out: string[] = []
  if (report.scenarios.length > 1) out.push('Scenarios:', ...report.scenarios.map((s) => `  ${scenarioLine(s)}`))
  const failed = failedItems(report)
  if (failed.length > 0) {
    if (out.length > 0) out.push('')
    out.push(`Failed (${failed.length}):`)
    for (const f of failed) out.push(`  ${terminalText(f.where)}  ${terminalText(f.name)}  — ${f.reason}: ${terminalText(f.message)}`)
  }
  return out.join('\n')
}

function scenarioLine(s: ScenarioReport): string {
  const notRun = s.notRun ? ` (${terminalText(s.notRun.message)})` : ''
  return `${summaryLine(s.result)}${notRun}`
}

function at(span: Span): string {
  return `${span.file}:${span.start.line}:${span.start.col}`
}

