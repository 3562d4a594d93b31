import type { StepResult } from '../engine/result.ts'
import type { Figures } from './latency-stats.ts'

/**
 * The HTML report's charts as inline SVG: no script, no library, nothing fetched. Colours are the
 * Okabe–Ito palette (told apart with every common colour-vision deficiency), and status is never
 * colour alone: the tables and labels say it in words.
 */

export const COLOURS = { passed: '#0072B2', failed: '#D55E00', errored: '#CC79A7', skipped: '#999999', warning: '#E69F00', tx: '#009E73', rx: '#56B4E9' } as const

/** Text for SVG and HTML: the five characters that could end an element or an attribute. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

const round = (n: number) => Math.round(n * 10) / 10

/**
 * A histogram of latencies (sorted samples, ms) with p50, p90 and p99 marked: up to 24 bins, on a
 * logarithmic axis when the slowest answer is more than 20 times the fastest (a join of seconds
 * beside answers of milliseconds would otherwise be one bar).
 */
export function histogramSvg(samples: readonly number[], figures: Figures, title: string): string {
  const w = 360
  const h = 120
  const pad = { l: 34, r: 8, t: 8, b: 28 }
  const min = samples[0] ?? 0
  const max = samples[samples.length - 1] ?? 0
  const log = min > 0 && max / min > 20
  const lo = log ? Math.log10(min) : min
  const hi = log ? Math.log10(max) : max
  const bins = Math.max(1, Math.min(24, samples.length, hi > lo ? 24 : 1))
  const counts = new Array<number>(bins).fill(0)
  const pos = (v: number) => (hi > lo ? ((log ? Math.log10(Math.max(v, min)) : v) - lo) / (hi - lo) : 0.5)
  for (const v of samples) counts[Math.min(bins - 1, Math.floor(pos(v) * bins))]!++
  const top = Math.max(...counts)
  const iw = w - pad.l - pad.r
  const ih = h - pad.t - pad.b
  const x = (v: number) => pad.l + pos(v) * iw
  // One value only (or one answer): one narrow bar where it is, not a bar as wide as the chart.
  const single = hi <= lo
  const barWidth = single ? 8 : Math.max(1, iw / bins - 1)
  const bars = counts
    .map((c, i) => {
      if (c === 0) return ''
      const bh = (c / top) * ih
      const bx = single ? pad.l + iw / 2 - barWidth / 2 : pad.l + (i / bins) * iw + 0.5
      return `<rect x="${round(bx)}" y="${round(pad.t + ih - bh)}" width="${round(barWidth)}" height="${round(bh)}" fill="${COLOURS.passed}"><title>${c} answer${c === 1 ? '' : 's'}</title></rect>`
    })
    .join('')
  const marks = (['p50', 'p90', 'p99'] as const)
    .map((p, i) => {
      const mx = round(x(figures[p]))
      return `<line x1="${mx}" x2="${mx}" y1="${pad.t}" y2="${pad.t + ih}" stroke="#000" stroke-dasharray="${['', '4 2', '1 2'][i]}"/><text x="${mx}" y="${pad.t + 9 + i * 10}" font-size="9" text-anchor="start" dx="2">${p}</text>`
    })
    .join('')
  const axis = `<line x1="${pad.l}" x2="${w - pad.r}" y1="${pad.t + ih}" y2="${pad.t + ih}" stroke="#000"/><text x="${pad.l}" y="${h - 14}" font-size="10">${esc(fmt(min))}</text><text x="${w - pad.r}" y="${h - 14}" font-size="10" text-anchor="end">${esc(fmt(max))}</text><text x="${pad.l + iw / 2}" y="${h - 3}" font-size="10" text-anchor="middle">ms${log ? ' (log scale)' : ''}</text><text x="${pad.l - 4}" y="${pad.t + 8}" font-size="10" text-anchor="end">${top}</text>`
  return `<svg class="chart" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${bars}${marks}${axis}</svg>`
}

/**
 * A scenario's steps on its time axis, as one strip: each column of pixels takes the worst status of
 * the steps in it, so that 100,000 steps are as many rectangles as the strip is wide.
 */
export function overviewSvg(steps: readonly Pick<StepResult, 'startedAt' | 'durationMs' | 'status' | 'optional'>[], totalMs: number, label: string): string {
  const w = 800
  const h = 28
  const columns = 400
  const span = Math.max(totalMs, 1)
  const worst = new Array<number>(columns).fill(-1)
  const rank = (s: Pick<StepResult, 'status' | 'optional'>) => (s.status === 'skipped' ? 0 : s.status === 'passed' ? 1 : s.optional ? 2 : s.status === 'errored' ? 3 : 4)
  for (const s of steps) {
    if (s.status === 'skipped') continue
    const a = Math.min(columns - 1, Math.floor((s.startedAt / span) * columns))
    const b = Math.min(columns - 1, Math.max(a, Math.floor(((s.startedAt + s.durationMs) / span) * columns)))
    for (let c = a; c <= b; c++) worst[c] = Math.max(worst[c]!, rank(s))
  }
  const fill = [COLOURS.skipped, COLOURS.passed, COLOURS.warning, COLOURS.errored, COLOURS.failed]
  const cw = w / columns
  let rects = ''
  for (let c = 0; c < columns; ) {
    const r = worst[c]!
    let e = c + 1
    while (e < columns && worst[e] === r) e++
    // Failures get a taller bar too: the strip reads without its colours.
    if (r >= 0) rects += `<rect x="${round(c * cw)}" y="${r >= 3 ? 0 : 6}" width="${round((e - c) * cw)}" height="${r >= 3 ? h : h - 12}" fill="${fill[r]}"/>`
    c = e
  }
  return `<svg class="overview" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" role="img" aria-label="${esc(label)}"><title>${esc(label)}</title>${rects}</svg>`
}

function fmt(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${round(ms)} ms`
}
