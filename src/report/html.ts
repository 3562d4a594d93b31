import { basename } from 'node:path'
import { terminalText } from '../bytes/terminal-text.ts'
import type { SourceLookup } from '../diagnostics/code-frame.ts'
import type { StepResult, TranscriptLine } from '../engine/result.ts'
import { formatDuration } from './durations.ts'
import { failedItems } from './end-of-run.ts'
import { describePrerequisiteFailure, describeStepFailure, formatMs } from './failure-text.ts'
import { COLOURS, esc, histogramSvg, overviewSvg } from './html-charts.ts'
import { commandLatencies } from './latency-stats.ts'
import type { RunReport, ScenarioReport } from './run-report.ts'
import { overallStatus } from './run-report.ts'
import type { Timeline, TimelineStep } from './timeline.ts'

export interface HtmlOptions {
  sources: SourceLookup
  version: string
  hostname?: string
}

/** Rows of a scenario's step table past which only the first, the last and the failed are listed. */
const TABLE_ROWS = 500

const VERDICT = { passed: 'PASSED', failed: 'FAILED', 'not-run': 'NOT RUN', interrupted: 'INTERRUPTED' } as const
const ICON: Record<string, string> = { passed: '✔', failed: '✖', errored: '✖', skipped: '↓', warning: '⚠', 'over-budget': '⏱', 'not-run': '↓', interrupted: '■' }
const ARROW = { tx: '→', rx: '←' } as const
const LINE_TAG: Partial<Record<TranscriptLine['kind'], string>> = {
  urc: 'URC',
  ready: 'URC',
  echo: 'echo',
  prompt: 'prompt',
  payload: 'payload',
  'final-success': 'result',
  'final-failure': 'result',
  busy: 'busy',
  data: 'data',
}

/**
 * The run as one self-contained HTML page (reports/index.html): nothing is fetched when it is
 * viewed, no script runs, and it opens from file://. First the verdict and what failed, each
 * failure with its code frame and expectation marks as the terminal shows them; then latency per
 * command with histograms; then each scenario: its steps, and its serial timeline (host writes and
 * device lines on the step's time axis, URCs, prompts and payloads marked, the bytes quoted as in
 * the transcript). Everything in it comes masked from the engine; text the device sent is escaped
 * as the terminal escapes it, then as HTML.
 */
export function toHtml(report: RunReport, options: HtmlOptions): string {
  const status = overallStatus(report)
  const title = `at-scenario: ${VERDICT[status]} ${report.scenarios.length === 1 ? report.scenarios[0]!.result.scenario.file : `${report.scenarios.length} scenarios`}`
  const body = [header(report, status, options), summary(report), failures(report, options), latency(report), ...report.scenarios.map((s, i) => scenario(s, i))].join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="at-scenario ${esc(options.version)}">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`
}

function header(report: RunReport, status: keyof typeof VERDICT, options: HtmlOptions): string {
  const facts = [
    `started ${esc(report.startedAt)}`,
    `took ${esc(formatDuration(report.durationMs))}`,
    `at-scenario ${esc(options.version)}`,
    ...(options.hostname ? [`on ${esc(options.hostname)}`] : []),
  ]
  const incomplete = report.complete ? '' : '<p class="note">The run is still going on or was stopped: this page shows the scenarios that ended.</p>'
  return `<header><h1>${badge(status === 'passed' ? 'passed' : status === 'failed' ? 'failed' : status, VERDICT[status])} at-scenario run</h1><p class="meta">${facts.join(' · ')}</p>${incomplete}</header>`
}

function summary(report: RunReport): string {
  // Failures first: the scenario a reader opened the page for is at the top.
  const rank = (s: ScenarioReport) => ({ interrupted: 0, 'not-run': 1, failed: 2, passed: 3 })[s.result.status]
  const rows = report.scenarios
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i)
    .map(({ s, i }) => {
      const all = [...s.result.steps, ...s.result.teardown]
      const n = (f: (r: StepResult) => boolean) => all.filter(f).length
      const counts = [`${n((r) => r.status === 'passed')} passed`]
      const failed = n((r) => (r.status === 'failed' || r.status === 'errored') && !r.optional)
      if (failed) counts.push(`${failed} failed`)
      const warned = n((r) => (r.status === 'failed' || r.status === 'errored') && r.optional)
      if (warned) counts.push(`${warned} optional failed`)
      const skipped = n((r) => r.status === 'skipped')
      if (skipped) counts.push(`${skipped} skipped`)
      const run = s.result.repeat ? ` <span class="dim">run ${s.result.repeat.index}/${s.result.repeat.of}</span>` : ''
      return `<tr class="${s.result.status}"><td>${badge(statusClass(s.result.status), VERDICT[s.result.status])}</td><td><a href="#s-${i + 1}">${esc(terminalText(s.result.scenario.name))}</a>${run}<br><span class="dim">${esc(s.result.scenario.file)}</span></td><td>${esc(counts.join(', '))}</td><td class="num">${esc(formatDuration(s.result.durationMs))}</td></tr>`
    })
  const byStatus = new Map<string, number>()
  for (const s of report.scenarios) byStatus.set(s.result.status, (byStatus.get(s.result.status) ?? 0) + 1)
  const line = [...byStatus].map(([k, v]) => `${v} ${k}`).join(', ')
  return `<section id="summary"><h2>Summary</h2><p>${report.scenarios.length} scenario run${report.scenarios.length === 1 ? '' : 's'}: ${esc(line || 'none')}</p>
<div class="scroll"><table><thead><tr><th>status</th><th>scenario</th><th>steps</th><th>time</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`
}

function failures(report: RunReport, options: HtmlOptions): string {
  const items = failedItems(report)
  if (items.length === 0) return '<section id="failures"><h2>Failures</h2><p>None: every step passed.</p></section>'
  const blocks: string[] = []
  for (const s of report.scenarios) {
    const run = s.result.repeat ? ` (run ${s.result.repeat.index}/${s.result.repeat.of})` : ''
    for (const p of s.result.prerequisites) {
      if (p.status !== 'failed') continue
      blocks.push(failureBlock('failed', `prerequisite ${p.name}`, s, run, 'prerequisite-failed', describePrerequisiteFailure(p, { sources: options.sources })))
    }
    for (const step of [...s.result.steps, ...s.result.teardown]) {
      if ((step.status !== 'failed' && step.status !== 'errored') || step.optional || !step.failure) continue
      const text = describeStepFailure(step, { sources: options.sources })
      blocks.push(failureBlock(step.failure.reason === 'over-budget' ? 'over-budget' : step.status, step.name, s, run, step.failure.reason, text))
    }
    if (s.notRun?.reason === 'link-error') blocks.push(failureBlock('failed', `open ${s.result.target}`, s, run, 'link-error', s.notRun.message))
  }
  return `<section id="failures"><h2>Failures (${items.length})</h2>${blocks.join('\n')}</section>`
}

function failureBlock(kind: string, name: string, s: ScenarioReport, run: string, reason: string, text: string): string {
  return `<article class="failure ${kind}"><h3>${badge(kind, kind === 'over-budget' ? 'over budget' : kind)} ${esc(terminalText(name))}</h3><p class="dim">${esc(terminalText(s.result.scenario.name))}${esc(run)} · <code>${esc(reason)}</code></p><pre class="frame">${esc(text)}</pre></article>`
}

function latency(report: RunReport): string {
  const commands = commandLatencies(report.scenarios.map((s) => s.result))
  if (commands.length === 0) return '<section id="latency"><h2>Latency per command</h2><p>No step wrote and got an answer.</p></section>'
  const repeats = report.scenarios.some((s) => s.result.repeat)
  const rows = commands
    .map((c) => {
      const f = c.firstByteMs ? formatMs(c.firstByteMs.p50) : '–'
      return `<tr><td><code>${esc(c.command)}</code></td><td class="num">${c.count}</td><td class="num">${formatMs(c.resultMs.p50)}</td><td class="num">${formatMs(c.resultMs.p90)}</td><td class="num">${formatMs(c.resultMs.p99)}</td><td class="num">${formatMs(c.resultMs.max)}</td><td class="num">${f}</td></tr>`
    })
    .join('')
  const charts = commands
    .map((c) => `<figure>${histogramSvg(c.samples, c.resultMs, `${c.command}: ${c.count} answers, from the write to the deciding line`)}<figcaption><code>${esc(c.command)}</code> · ${c.count} answer${c.count === 1 ? '' : 's'}</figcaption></figure>`)
    .join('')
  return `<section id="latency"><h2>Latency per command</h2><p>From the write to the line that decided the step (its final result), over every scenario${repeats ? ' and every run of --repeat' : ''}; percentiles by nearest rank.</p>
<div class="scroll"><table><thead><tr><th>command</th><th>answers</th><th>p50</th><th>p90</th><th>p99</th><th>max</th><th>first byte p50</th></tr></thead><tbody>${rows}</tbody></table></div>
<div class="charts">${charts}</div></section>`
}

function scenario(s: ScenarioReport, i: number): string {
  const r = s.result
  const steps = [...r.steps, ...r.teardown]
  const facts = [
    esc(r.scenario.file),
    `on ${esc(terminalText(r.target))}`,
    ...(s.device ? [`device ${esc(terminalText(s.device))}`] : []),
    `started ${esc(r.startedAt)}`,
    `took ${esc(formatDuration(r.durationMs))}`,
    ...(r.repeat ? [`run ${r.repeat.index} of ${r.repeat.of}`] : []),
    ...(s.transcript ? [`<a href="${esc(basename(s.transcript))}">transcript</a>`] : []),
    ...(r.scenario.doc ? [`<a href="${esc(r.scenario.doc)}">doc</a>`] : []),
  ]
  const notRun = s.notRun ? `<p class="note">Not run: ${esc(terminalText(s.notRun.message))}</p>` : ''
  const cut = s.transcriptCut ? `<p class="note">The transcript was cut at ${s.transcriptCut.limitBytes} bytes (--transcript-limit); ${s.transcriptCut.omittedBytes} bytes of traffic are not in it.</p>` : ''
  return `<section class="scenario" id="s-${i + 1}"><h2>${badge(statusClass(r.status), VERDICT[r.status])} ${esc(terminalText(r.scenario.name))}</h2><p class="meta">${facts.join(' · ')}</p>${notRun}${cut}
${steps.length > 0 ? overviewSvg(steps, r.durationMs, `the ${steps.length} steps over ${formatDuration(r.durationMs)}; taller bars failed`) : ''}
${stepTable(steps)}
${s.timeline ? timeline(s.timeline) : ''}</section>`
}

function stepTable(steps: readonly StepResult[]): string {
  if (steps.length === 0) return ''
  const shown = new Set<number>()
  if (steps.length <= TABLE_ROWS) steps.forEach((_, i) => shown.add(i))
  else {
    for (let i = 0; i < TABLE_ROWS / 2; i++) shown.add(i)
    for (let i = steps.length - TABLE_ROWS / 2; i < steps.length; i++) shown.add(i)
    steps.forEach((s, i) => (s.status === 'failed' || s.status === 'errored') && shown.add(i))
  }
  const rows: string[] = []
  let gap = 0
  steps.forEach((s, i) => {
    if (!shown.has(i)) {
      gap++
      return
    }
    if (gap > 0) rows.push(`<tr class="gap"><td colspan="7">… ${gap} step${gap === 1 ? '' : 's'} not listed here (results.json and the transcript have them)</td></tr>`)
    gap = 0
    const l = s.latency
    const budget = s.budgetMs !== undefined ? `${s.budgetMs} ms` : ''
    rows.push(
      `<tr class="${stepClass(s)}"><td>${badge(stepClass(s), stepWord(s))}</td><td>${s.phase === 'teardown' ? 'teardown: ' : ''}${esc(terminalText(s.name))}<br><span class="dim">${esc(`${s.span.file}:${s.span.start.line}:${s.span.start.col}`)}</span></td><td class="num">${esc(formatDuration(s.durationMs))}</td><td class="num">${l?.firstByteMs !== undefined ? formatMs(l.firstByteMs) : ''}</td><td class="num">${l?.resultMs !== undefined ? formatMs(l.resultMs) : ''}</td><td class="num">${budget}</td><td>${s.failure && s.status !== 'passed' ? esc(terminalText(s.failure.message)) : ''}</td></tr>`,
    )
  })
  if (gap > 0) rows.push(`<tr class="gap"><td colspan="7">… ${gap} more</td></tr>`)
  return `<h3>Steps</h3><div class="scroll"><table class="steps"><thead><tr><th>status</th><th>step</th><th>took</th><th>first byte</th><th>answer</th><th>budget</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`
}

function timeline(t: Timeline): string {
  const cap =
    t.omitted > 0
      ? `<p class="note">This long run's timeline shows ${t.steps.length} steps: the first ${t.limits.first}, the last ${t.limits.last} and up to ${t.limits.failed} that did not pass; ${t.omitted} steps are left out here (the transcript has every byte). At most ${t.limits.linesPerStep} lines a step.</p>`
      : ''
  return `<h3>Serial timeline</h3><p class="dim legend"><span class="tx">→ host wrote</span> <span class="rx">← device sent</span> · time since the step began, and where on the step's time axis · <span class="tag">URC</span> unsolicited · <span class="tag">prompt</span> the <code>&gt;</code> data prompt · secrets are <code>***</code></p>${cap}<div class="timeline">${t.steps.map(timelineStep).join('\n')}</div>`
}

function timelineStep(t: TimelineStep): string {
  const r = t.result
  const span = Math.max(r.durationMs, 1)
  const at = (ms: number) => `${Math.max(0, Math.min(100, ((ms - r.startedAt) / span) * 100)).toFixed(1)}%`
  const l = r.latency
  const marks = [
    ...(l?.firstByteMs !== undefined ? [`<i class="m first" style="left:${at(l.writtenAt + l.firstByteMs)}" title="first byte after ${formatMs(l.firstByteMs)}"></i>`] : []),
    ...(l?.resultMs !== undefined ? [`<i class="m result" style="left:${at(l.writtenAt + l.resultMs)}" title="answer after ${formatMs(l.resultMs)}"></i>`] : []),
    ...(l && r.budgetMs !== undefined ? [`<i class="m budget" style="left:${at(l.writtenAt + r.budgetMs)}" title="budget ${r.budgetMs} ms"></i>`] : []),
  ].join('')
  const lat = l?.resultMs !== undefined ? ` · answer ${formatMs(l.resultMs)}${l.firstByteMs !== undefined ? `, first byte ${formatMs(l.firstByteMs)}` : ''}${r.budgetMs !== undefined ? `, budget ${r.budgetMs} ms` : ''}` : ''
  const lines = (r.lines ?? [])
    .map((line) => {
      const tag = LINE_TAG[line.kind]
      const rel = line.at - r.startedAt
      return `<li class="${line.dir} k-${esc(line.kind)}"><time>${rel >= 0 ? '+' : ''}${formatMs(rel)}</time><span class="track"><i style="left:${at(line.at)}"></i></span><span class="dir">${ARROW[line.dir]}</span><code>${esc(shown(line.text))}</code>${tag ? `<span class="tag">${tag}</span>` : ''}</li>`
    })
    .join('')
  const bytes = t.bytes.length
    ? `<details class="bytes"><summary>bytes as the transcript quotes them</summary><pre>${t.bytes.map((b) => `${b.at.toFixed(3).padStart(10)}  ${b.dir === 'tx' ? '->' : '<-'}  ${esc(b.text)}`).join('\n')}${t.bytesCut ? `\n… ${t.bytesCut} more pieces in the transcript` : ''}</pre></details>`
    : ''
  const open = r.status === 'failed' || r.status === 'errored' ? ' open' : ''
  return `<details class="tstep ${stepClass(r)}"${open}><summary>${badge(stepClass(r), stepWord(r))} <b>${r.phase === 'teardown' ? 'teardown: ' : ''}${esc(terminalText(r.name))}</b> <span class="dim">at ${formatMs(r.startedAt)}, took ${esc(formatDuration(r.durationMs))}${lat}</span></summary><div class="axis">${marks}</div><ol class="lines">${lines || '<li class="none">nothing crossed the link during the step</li>'}</ol>${bytes}</details>`
}

/** A line as the failure text shows it: control characters escaped, trailing spaces visible. */
function shown(text: string): string {
  const trailing = /[ \t]+$/.exec(text)?.[0].length ?? 0
  return trailing > 0 ? `${terminalText(text.slice(0, -trailing))}${'␠'.repeat(trailing)}` : terminalText(text)
}

function stepClass(s: StepResult): string {
  if (s.status === 'passed' || s.status === 'skipped') return s.status
  if (s.optional) return 'warning'
  return s.failure?.reason === 'over-budget' ? 'over-budget' : s.status
}

function stepWord(s: StepResult): string {
  const c = stepClass(s)
  return c === 'warning' ? `optional, ${s.status}` : c === 'over-budget' ? 'over budget' : c
}

function statusClass(status: ScenarioReport['result']['status']): string {
  return status === 'passed' ? 'passed' : status === 'failed' ? 'failed' : status
}

/** A status in words with its icon: never colour alone. */
function badge(kind: string, word: string): string {
  return `<span class="badge ${esc(kind)}">${ICON[kind] ?? '•'} ${esc(word)}</span>`
}

const STYLE = `
:root{--pass:${COLOURS.passed};--fail:${COLOURS.failed};--err:${COLOURS.errored};--warn:${COLOURS.warning};--skip:${COLOURS.skipped};--tx:${COLOURS.tx};--rx:${COLOURS.rx};--bg:#fff;--fg:#111;--dim:#555;--line:#ddd;--panel:#f6f6f6}
@media (prefers-color-scheme:dark){:root{--bg:#15171a;--fg:#e8e8e8;--dim:#a0a0a0;--line:#333;--panel:#1f2226}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:12px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.2em;margin:1.4em 0 .4em;border-bottom:1px solid var(--line)}h3{font-size:1.05em;margin:1em 0 .3em}
code,pre,.lines{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
pre{background:var(--panel);padding:8px;overflow-x:auto;white-space:pre}
.meta,.dim{color:var(--dim)}.note{background:var(--panel);border-left:4px solid var(--warn);padding:6px 8px}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}tr.gap td{color:var(--dim);font-style:italic}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-weight:600;color:#fff;white-space:nowrap;font-size:.9em}
.badge.passed{background:var(--pass)}.badge.failed{background:var(--fail)}.badge.errored{background:var(--err)}.badge.over-budget{background:var(--warn);color:#000}
.badge.warning{background:var(--warn);color:#000}.badge.skipped,.badge.not-run{background:var(--skip);color:#000}.badge.interrupted{background:#000}
.failure{border-left:5px solid var(--fail);padding:0 0 0 10px;margin:10px 0}.failure.over-budget{border-left-color:var(--warn)}.failure.errored{border-left-color:var(--err)}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;flex:1 1 300px;max-width:420px}figcaption{font-size:.9em;color:var(--dim)}
.chart{width:100%;height:auto;color:var(--fg)}.chart text{fill:currentColor}.chart line{stroke:currentColor}
.overview{width:100%;height:28px;background:var(--panel);display:block}
.legend .tx{color:var(--tx)}.legend .rx{color:var(--rx)}
.tstep{border:1px solid var(--line);margin:4px 0;padding:2px 6px}.tstep>summary{cursor:pointer}
.tstep.failed{border-left:5px solid var(--fail)}.tstep.errored{border-left:5px solid var(--err)}.tstep.over-budget,.tstep.warning{border-left:5px solid var(--warn)}
.axis{position:relative;height:10px;margin:4px 0 2px 160px;background:var(--panel)}
.axis .m{position:absolute;top:0;width:2px;height:10px}.axis .first{background:var(--tx)}.axis .result{background:var(--pass);width:4px}.axis .budget{background:var(--fail);height:10px;width:2px;outline:1px dashed var(--fail)}
.lines{list-style:none;margin:0;padding:0}
.lines li{display:grid;grid-template-columns:80px 70px 1.5em 1fr auto;gap:6px;align-items:baseline;padding:1px 0;border-bottom:1px dotted var(--line)}
.lines time{text-align:right;color:var(--dim)}.lines code{overflow-wrap:anywhere;white-space:pre-wrap}
.track{position:relative;height:8px;background:var(--panel);align-self:center}.track i{position:absolute;top:0;width:3px;height:8px;margin-left:-1px}
.tx .track i{background:var(--tx)}.rx .track i{background:var(--rx)}.tx .dir{color:var(--tx);font-weight:700}.rx .dir{color:var(--rx);font-weight:700}
.tx code{font-weight:600}.k-urc code,.k-ready code{font-style:italic}
.tag{font-size:11px;border:1px solid var(--line);border-radius:3px;padding:0 4px;color:var(--dim)}
.bytes summary{color:var(--dim);cursor:pointer}
@media (max-width:640px){.lines li{grid-template-columns:64px 1.2em 1fr;}.lines .track{display:none}.lines .tag{grid-column:3}.axis{margin-left:0}th,td{padding:2px 3px}}
`
