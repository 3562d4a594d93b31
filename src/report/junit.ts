import type { SourceLookup } from '../diagnostics/code-frame.ts'
import type { PrerequisiteResult, StepResult } from '../engine/result.ts'
import { junitSeconds } from './durations.ts'
import { describePrerequisiteFailure, describeStepFailure } from './failure-text.ts'
import type { RunReport, ScenarioReport } from './run-report.ts'
import type { XmlNode } from './xml.ts'
import { renderXml } from './xml.ts'

export interface JUnitOptions {
  /** The scenario files, for the code frames in failure texts. */
  sources: SourceLookup
  hostname?: string
}

interface Counts {
  tests: number
  failures: number
  errors: number
  skipped: number
}

/**
 * The run as JUnit XML (the schema Jenkins' xUnit plugin uses): a testsuite per scenario, a testcase
 * per prerequisite and per step. An expectation not met (`failed`) is a `<failure>`; everything that
 * kept a step from reaching a verdict (timeout, lost port, crashed prerequisite, interruption) is
 * an `<error>`; an optional step that failed passes with the warning in `<system-out>`.
 */
export function toJUnit(report: RunReport, options: JUnitOptions): string {
  const suites = report.scenarios.map((s) => testsuite(s, options))
  const total = suites.reduce<Counts>(
    (sum, s) => ({ tests: sum.tests + s.counts.tests, failures: sum.failures + s.counts.failures, errors: sum.errors + s.counts.errors, skipped: sum.skipped + s.counts.skipped }),
    { tests: 0, failures: 0, errors: 0, skipped: 0 },
  )
  const root: XmlNode = {
    name: 'testsuites',
    attrs: { name: 'at-scenario', tests: total.tests, failures: total.failures, errors: total.errors, time: junitSeconds(report.durationMs) },
    children: suites.map((s) => s.node),
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderXml(root)}\n`
}

function testsuite(report: ScenarioReport, options: JUnitOptions): { node: XmlNode; counts: Counts } {
  const { result } = report
  const classname = result.scenario.file
  const cases: XmlNode[] = []
  const counts: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 }
  const skippedBecause = report.notRun?.message ?? whySkipped(result.status)

  if (report.notRun?.reason === 'link-error') {
    counts.tests++
    counts.errors++
    cases.push(testcase(`open ${result.target}`, classname, 0, [{ name: 'error', attrs: { type: 'link-error', message: report.notRun.message }, children: [report.notRun.message] }]))
  }
  for (const p of result.prerequisites) {
    counts.tests++
    if (p.status === 'failed') counts.errors++
    if (p.status === 'skipped') counts.skipped++
    cases.push(testcase(`prerequisite: ${p.name}`, classname, p.readyMs ?? 0, prerequisiteOutcome(p, skippedBecause, options)))
  }
  for (const s of [...result.steps, ...result.teardown]) {
    counts.tests++
    const outcome = stepOutcome(s, skippedBecause, options)
    if (s.status === 'skipped') counts.skipped++
    else if (s.status === 'failed' && !s.optional) counts.failures++
    else if (s.status === 'errored' && !s.optional) counts.errors++
    cases.push(testcase(s.phase === 'teardown' ? `teardown: ${s.name}` : s.name, classname, s.durationMs, outcome))
  }

  const props: [string, string | undefined][] = [
    ['port', result.target],
    ['device', report.device],
    ['doc', result.scenario.doc],
    ['status', result.status],
    ['transcript', report.transcript],
    ['transcript-cut', report.transcriptCut ? `at ${report.transcriptCut.limitBytes} bytes (--transcript-limit); ${report.transcriptCut.omittedBytes} bytes of traffic left out` : undefined],
  ]
  const node: XmlNode = {
    name: 'testsuite',
    attrs: {
      name: result.scenario.name,
      tests: counts.tests,
      failures: counts.failures,
      errors: counts.errors,
      skipped: counts.skipped,
      time: junitSeconds(result.durationMs),
      timestamp: result.startedAt,
      hostname: options.hostname,
      file: result.scenario.file,
    },
    children: [
      { name: 'properties', children: props.filter(([, v]) => v !== undefined).map(([name, value]) => ({ name: 'property', attrs: { name, value } })) },
      ...cases,
    ],
  }
  return { node, counts }
}

function testcase(name: string, classname: string, ms: number, children: XmlNode[]): XmlNode {
  return { name: 'testcase', attrs: { name, classname, time: junitSeconds(ms) }, children }
}

function stepOutcome(s: StepResult, skippedBecause: string, options: JUnitOptions): XmlNode[] {
  if (s.status === 'skipped') return [{ name: 'skipped', attrs: { message: skippedBecause } }]
  if (s.status === 'passed' || !s.failure) return []
  const text = describeStepFailure(s, { sources: options.sources })
  if (s.optional) return [{ name: 'system-out', children: [`warning: optional step ${s.status}\n${text}`] }]
  return [{ name: s.status === 'failed' ? 'failure' : 'error', attrs: { type: s.failure.reason, message: s.failure.message }, children: [text] }]
}

function prerequisiteOutcome(p: PrerequisiteResult, skippedBecause: string, options: JUnitOptions): XmlNode[] {
  if (p.status === 'skipped') return [{ name: 'skipped', attrs: { message: p.message ?? skippedBecause } }]
  if (p.status === 'ready') return []
  const message = p.message ?? 'did not start'
  return [{ name: 'error', attrs: { type: 'prerequisite-failed', message }, children: [describePrerequisiteFailure(p, { sources: options.sources })] }]
}

function whySkipped(status: ScenarioReport['result']['status']): string {
  switch (status) {
    case 'interrupted':
      return 'the run was interrupted'
    case 'not-run':
      return 'a prerequisite did not start'
    default:
      return 'an earlier step failed'
  }
}
