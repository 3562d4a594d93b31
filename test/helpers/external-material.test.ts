import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ROOT } from './cli.ts'

/**
 * itWith and the reporter, through vitest itself: test/fixtures/external-material/ holds a test
 * file that needs the JUnit XSD and the stock PKI, run here in a child vitest with folders made
 * for each case (never the real ../shared, so the outcome does not depend on this machine).
 */
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-material-'))
  dirs.push(dir)
  return dir
}

/** A stand-in for ../shared with the files the fixture reads. */
function sharedWithEverything(): string {
  const shared = folder()
  mkdirSync(join(shared, 'reference/esp-at-pki'), { recursive: true })
  writeFileSync(join(shared, 'reference/junit-10.xsd'), '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>\n')
  for (const f of ['wss_ca_00.crt', 'wss_ca_01.crt', 'wss_client_00.crt', 'wss_client_00.key', 'wss_client_01.crt', 'wss_client_01.key']) {
    writeFileSync(join(shared, 'reference/esp-at-pki', f), 'test\n')
  }
  return shared
}

function vitest(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  // The parent's own AT_SCENARIO_* (CI sets AT_SCENARIO_REQUIRE_EXTERNAL=1) must not leak into the case.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AT_SCENARIO_') && k !== 'VITEST' && !k.startsWith('VITEST_')))
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/external-material/vitest.config.ts'], {
    cwd: ROOT,
    env: { ...base, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })))
}

const FILE = 'test/fixtures/external-material/needs-material.check.ts'

describe('tests that need external material', () => {
  it('are skipped where it is absent, each named at the end of the run with the variable to set', async () => {
    const shared = folder()
    const run = await vitest({ AT_SCENARIO_SHARED: shared })
    expect(run.code, run.output).toBe(0)
    expect(run.output).toContain(`↓ reads the schema [the JUnit XML schema Jenkins validates against (junit-10.xsd) is not at ${shared}/reference/junit-10.xsd: set AT_SCENARIO_JUNIT_XSD]`)
    expect(run.output).toContain('2 tests skipped because external material is absent:')
    expect(run.output).toContain(`  ${FILE} > reads the schema: set AT_SCENARIO_JUNIT_XSD\n`)
    expect(run.output).toContain(`  ${FILE} > reads the schema and the PKI: set AT_SCENARIO_JUNIT_XSD and AT_SCENARIO_STOCK_PKI\n`)
    expect(run.output).toContain(`  AT_SCENARIO_STOCK_PKI=${shared}/reference/esp-at-pki\n`)
    expect(run.output).toMatch(/Tests {2}1 passed \| 2 skipped \(3\)/)
  })

  it('fail instead with AT_SCENARIO_REQUIRE_EXTERNAL=1, as on CI', async () => {
    const run = await vitest({ AT_SCENARIO_SHARED: folder(), AT_SCENARIO_REQUIRE_EXTERNAL: '1' })
    expect(run.code).toBe(1)
    expect(run.output).toContain('2 tests failed because external material they must run with is absent:')
    expect(run.output).toContain('set AT_SCENARIO_JUNIT_XSD (AT_SCENARIO_REQUIRE_EXTERNAL=1: this test must run here)')
    expect(run.output).toMatch(/Tests {2}2 failed \| 1 passed \(3\)/)
  })

  it('run where AT_SCENARIO_SHARED has it, and then nothing is listed', async () => {
    const run = await vitest({ AT_SCENARIO_SHARED: sharedWithEverything(), AT_SCENARIO_REQUIRE_EXTERNAL: '1' })
    expect(run.code, run.output).toBe(0)
    expect(run.output).toMatch(/Tests {2}3 passed \(3\)/)
    expect(run.output).not.toContain('external material is absent')
  })

  it('find each material through its own variable, and fail when that variable points at nothing', async () => {
    const shared = sharedWithEverything()
    const elsewhere = folder()
    const run = await vitest({
      AT_SCENARIO_SHARED: folder(),
      AT_SCENARIO_JUNIT_XSD: join(shared, 'reference/junit-10.xsd'),
      AT_SCENARIO_STOCK_PKI: join(elsewhere, 'no-pki'),
    })
    expect(run.code).toBe(1)
    expect(run.output).toMatch(/✓ reads the schema( \d+ms)?\n/)
    expect(run.output).toContain(`AT_SCENARIO_STOCK_PKI is set to ${elsewhere}/no-pki, where the stock ESP-AT firmware's WebSocket PKI`)
    expect(run.output).toMatch(/Tests {2}1 failed \| 2 passed \(3\)/)
  })
})
