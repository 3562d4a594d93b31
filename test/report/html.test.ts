import { describe, expect, it } from 'vitest'
import type { StepResult } from '../../src/engine/result.ts'
import { toHtml } from '../../src/report/html.ts'
import type { RunReport, ScenarioReport } from '../../src/report/run-report.ts'
import { TimelineCollector } from '../../src/report/timeline.ts'
import { runResult, sources, span, step } from './builders.ts'

const options = { sources, version: '1.2.3', hostname: 'lab-pc' }
const report = (scenarios: ScenarioReport[]): RunReport => ({ startedAt: '2026-01-02T03:04:05.000Z', durationMs: 300, complete: true, scenarios })

const failedStep = (overrides: Partial<StepResult> = {}) =>
  step({
    index: 1,
    name: 'Set an impossible mode',
    span: span(6),
    status: 'failed',
    sent: 'AT+CWMODE=9',
    matched: 0,
    failure: { reason: 'unexpected-result', message: 'the device answered `ERROR` while the step waited for `OK`' },
    lines: [
      { at: 14, dir: 'tx', kind: 'command', text: 'AT+CWMODE=9' },
      { at: 15, dir: 'rx', kind: 'echo', text: 'AT+CWMODE=9' },
      { at: 16, dir: 'rx', kind: 'urc', text: '<script>alert(1)</script>\u001b[2J' },
      { at: 17, dir: 'rx', kind: 'final-failure', text: 'ERROR' },
    ],
    ...overrides,
  })

/** A scenario's timeline as the reporting collects it from the events. */
function timelineOf(results: StepResult[], limits = {}) {
  const c = new TimelineCollector(limits)
  for (const r of results) {
    c.listener({ type: 'step:start', phase: r.phase, index: r.index, name: r.name, kind: r.kind, expected: r.expected, waitMs: 5000 })
    c.listener({ type: 'io', dir: 'tx', at: r.startedAt, segments: [{ bytes: Buffer.from(`${r.sent ?? ''}\r\n`) }, { secret: 'password' }] })
    c.listener({ type: 'step:end', result: r })
  }
  return c.timeline()
}

describe('the HTML report', () => {
  const steps = [step(), failedStep()]
  const page = toHtml(report([{ result: runResult({ status: 'failed', steps }), transcript: 'reports/demo.transcript.txt', timeline: timelineOf(steps) }]), options)

  it('is one page that loads nothing: no script, no stylesheet, no image or font from anywhere', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true)
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\bsrc=/i)
    // Links only: to the transcript beside it, and to the scenario's doc.
    expect([...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]).filter((h) => !h!.startsWith('#'))).toEqual(['demo.transcript.txt', 'https://docs.example/at#demo'])
  })

  it('puts the failure first, with its code frame and expectation marks', () => {
    const failures = page.indexOf('<section id="failures">')
    expect(failures).toBeGreaterThan(page.indexOf('<section id="summary">'))
    expect(failures).toBeLessThan(page.indexOf('<section id="latency">'))
    expect(failures).toBeLessThan(page.indexOf('class="scenario"'))
    const block = page.slice(failures, page.indexOf('</section>', failures))
    expect(block).toContain('error[unexpected-result]: step &#34;Set an impossible mode&#34; failed')
    expect(block).toContain('--&#62; scenarios/demo.yaml:6:5')
    expect(block).toContain('✖ OK')
  })

  it('shows what the device sent as text: escaped for HTML, control characters as in the terminal', () => {
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;\\x1b[2J')
    expect(page).not.toContain('\u001b')
  })

  it('draws the timeline of each step: its lines with their kinds, the bytes quoted as in the transcript, secrets as ***', () => {
    const timeline = page.slice(page.indexOf('<h3>Serial timeline</h3>'))
    expect(timeline).toContain('<details class="tstep failed" open>')
    expect(timeline).toContain('<details class="tstep passed">')
    expect(timeline).toMatch(/class="rx k-urc".*<span class="tag">URC<\/span>/)
    expect(timeline).toContain('&#34;AT+CWMODE=9\\r\\n&#34;')
    expect(timeline).toContain('&#34;***&#34;')
  })

  it('says so when every step passed', () => {
    expect(toHtml(report([{ result: runResult() }]), options)).toContain('<p>None: every step passed.</p>')
  })

  it('an over-budget failure is shown as one, with its latency', () => {
    const late = failedStep({ failure: { reason: 'over-budget', message: 'took 412 ms' }, latency: { writtenAt: 14, firstByteMs: 1, resultMs: 412 }, budgetMs: 300, matched: 1 })
    const html = toHtml(report([{ result: runResult({ status: 'failed', steps: [late] }) }]), options)
    expect(html).toContain('<article class="failure over-budget">')
    expect(html).toContain('latency: first byte after 1 ms, answer after 412 ms; budget 300 ms')
    expect(html).toMatch(/<tr class="over-budget">.*<td class="num">412 ms<\/td><td class="num">300 ms<\/td>/)
  })
})

describe('a long run in the HTML report', () => {
  const many = Array.from({ length: 3000 }, (_, i) =>
    i === 2000 ? failedStep({ index: i, name: `Step ${i}`, startedAt: i * 10 }) : step({ index: i, name: `Step ${i}`, startedAt: i * 10 }),
  )

  it('keeps a bounded timeline: the first, the last, and the failed steps, and says how many it left out', () => {
    const t = timelineOf(many, { first: 10, last: 5, failed: 3 })
    expect(t.steps.map((s) => s.result.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2000, 2995, 2996, 2997, 2998, 2999])
    expect(t.omitted).toBe(3000 - 16)
    const html = toHtml(report([{ result: runResult({ status: 'failed', steps: many, durationMs: 30_000 }), timeline: t }]), options)
    expect(html).toContain(`${3000 - 16} steps are left out here`)
  })

  it('lists the first and the last steps and every failed one in its table, with the gaps counted', () => {
    const html = toHtml(report([{ result: runResult({ status: 'failed', steps: many, durationMs: 30_000 }) }]), options)
    const table = html.slice(html.indexOf('<table class="steps">'), html.indexOf('</table>', html.indexOf('<table class="steps">')))
    expect(table).toContain('Step 249<')
    expect(table).not.toContain('Step 250<')
    expect(table).toContain('Step 2000<')
    expect(table).toContain('… 1750 steps not listed here')
    expect(table).toContain('… 749 steps not listed here')
    expect(table).toContain('Step 2999<')
    expect(html.length).toBeLessThan(2_000_000)
  })
})
