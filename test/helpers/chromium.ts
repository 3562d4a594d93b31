import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext } from 'playwright-core'

/**
 * Debian's Chromium (`apt-get install chromium`, which ./scripts/setup.sh does), or the one
 * $AT_SCENARIO_CHROMIUM names. playwright-core drives it and downloads no browser of its own.
 */
export function chromiumPath(): string {
  const path = process.env.AT_SCENARIO_CHROMIUM ?? '/usr/bin/chromium'
  if (!existsSync(path)) {
    throw new Error(`Chromium is not at ${path}: the HTML report's test opens the page in it. Run ./scripts/setup.sh (it installs Debian's chromium), or set AT_SCENARIO_CHROMIUM to a Chromium binary.`)
  }
  return path
}

/**
 * A headless Chromium with a fresh profile, that reaches for nothing on the network by itself (this
 * machine's network is closed: its background connections would only be refused). `close` removes
 * the profile too.
 */
export async function openChromium(viewport = { width: 1100, height: 900 }): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const { chromium } = await import('playwright-core')
  const profile = mkdtempSync(join(tmpdir(), 'at-scenario-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
