import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openChromium } from '../helpers/chromium.ts'
import { ROOT, runCli } from '../helpers/cli.ts'
import type { CliRun } from '../helpers/cli.ts'

/**
 * `--reporter html` of a failing run, opened from file:// in headless Chromium: what a person sees
 * is asserted on the rendered DOM, and the screenshots are kept as test artifacts in
 * reports/test-artifacts/ (gitignored), to look at when this test fails or the page changes.
 */
const PASSWORD = 's3cr3t-html-Pa55'
const ARTIFACTS = join(ROOT, 'reports', 'test-artifacts')

let dir: string
let run: CliRun
let page: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'at-scenario-html-'))
  run = await runCli(['test/fixtures/html/failing.yaml', '--reporter', 'html,json', '--output-dir', dir], { env: { HTML_PW: PASSWORD } })
  page = pathToFileURL(join(dir, 'index.html')).href
  mkdirSync(ARTIFACTS, { recursive: true })
}, 60_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the HTML report of a failing run, in Chromium', () => {
  it('shows the failure first, the step timeline with its lines, and no password anywhere', async () => {
    expect(run.code, run.stderr).toBe(1)
    expect(run.stdout).toContain(`Written: `)
    expect(run.stdout).toMatch(/index\.html/)
    const browser = await openChromium()
    try {
      const tab = await browser.context.newPage()
      const requests: string[] = []
      tab.on('request', (r) => requests.push(r.url()))
      await tab.goto(page)
      await tab.screenshot({ path: join(ARTIFACTS, 'html-report.png'), fullPage: true })

      // The verdict, then the failure, before anything else about the run.
      expect(await tab.locator('h1').innerText()).toContain('FAILED')
      // Evaluated in the page (a string: this project's TypeScript has no DOM types).
      const order = await tab.evaluate<string[]>("[...document.querySelectorAll('body > section')].map((s) => s.id || s.className)")
      expect(order.slice(0, 3)).toEqual(['summary', 'failures', 'latency'])
      const failure = tab.locator('#failures article.failure').first()
      expect(await failure.locator('h3').innerText()).toContain('Read the IP address')
      const frame = await failure.locator('pre.frame').innerText()
      expect(frame).toContain('error[unexpected-result]: step "Read the IP address" failed')
      expect(frame).toMatch(/--> test\/fixtures\/html\/failing\.yaml:14:5/)
      expect(frame).toContain('✖ +CIPSTA:ip:"10.9.9.9"')
      expect(frame).toContain('· OK')

      // The failed step's timeline is open, with what crossed the link during the step, in order.
      const failed = tab.locator('details.tstep.failed')
      expect(await failed.count()).toBe(1)
      expect(await failed.getAttribute('open')).not.toBeNull()
      const lines = await failed.locator('ol.lines > li').allInnerTexts()
      const texts = lines.map((l) => l.replace(/\s+/g, ' '))
      expect(texts[0]).toMatch(/→ AT\+CIPSTA\?/)
      expect(texts.some((t) => /← AT\+CIPSTA\? echo/.test(t))).toBe(true)
      expect(texts.findIndex((t) => t.includes('+CIPSTA:ip:"10.0.0.20"'))).toBeLessThan(texts.findIndex((t) => /← OK result/.test(t)))
      // A passed step's lines are there too (folded, so read as text): the join's URCs, marked as such.
      const joining = tab.locator('details.tstep.passed', { hasText: 'Join with the secret' })
      expect(await joining.locator('li.k-urc', { hasText: 'WIFI CONNECTED' }).locator('.tag').textContent()).toBe('URC')

      // The step table and the latency figures of the run.
      expect(await tab.locator('table.steps tr.failed').innerText()).toContain('Read the IP address')
      expect(await tab.locator('#latency').innerText()).toContain('AT+CWJAP')
      expect(await tab.locator('#latency svg.chart').count()).toBeGreaterThan(0)

      // The secret: masked where it was written, nowhere in the page, its markup or its text.
      expect(await tab.content()).not.toContain(PASSWORD)
      expect(await tab.evaluate('document.body.innerText')).not.toContain(PASSWORD)
      expect(await joining.textContent()).toContain('"espressif","***"')
      // Self-contained: the page asked for nothing but itself.
      expect(requests).toEqual([page])
    } finally {
      await browser.close()
    }
  }, 60_000)

  it('reads in a narrow window: nothing wider than the screen but what scrolls in its own box', async () => {
    const browser = await openChromium({ width: 380, height: 800 })
    try {
      const tab = await browser.context.newPage()
      await tab.goto(page)
      await tab.screenshot({ path: join(ARTIFACTS, 'html-report-narrow.png'), fullPage: true })
      const { scroll, width } = await tab.evaluate<{ scroll: number; width: number }>('({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth })')
      expect(scroll).toBeLessThanOrEqual(width)
      expect(await tab.locator('#failures article.failure').first().isVisible()).toBe(true)
    } finally {
      await browser.close()
    }
  }, 60_000)

  it('the other reports of the run do not hold the password either', () => {
    for (const file of ['results.json', 'index.html', 'failing.transcript.txt']) expect(readFileSync(join(dir, file), 'utf8')).not.toContain(PASSWORD)
  })
})
