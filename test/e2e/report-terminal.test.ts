import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BIN, ROOT } from '../helpers/cli.ts'
import { pythonWithWebsockets } from '../helpers/python.ts'

const out = mkdtempSync(join(tmpdir(), 'at-scenario-tty-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

/**
 * Runs the CLI on a real terminal: `script` (util-linux) gives it a pseudo-terminal, 100 columns
 * wide. Returns everything the terminal received.
 */
function onTerminal(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
  const command = `stty cols 100 rows 40; exec ${[process.execPath, BIN, ...args, '--output-dir', out].map(quote).join(' ')}`
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PYTHON: pythonWithWebsockets(), TERM: 'xterm', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/

describe('progress on a terminal', () => {
  it('listr2 draws a task per step with its duration in ms, and a running wait with what it waits for and the time left', async () => {
    const run = await onTerminal(['test/fixtures/report/passes.yaml', 'test/fixtures/report/short-wait.yaml'])
    expect(run.code).toBe(1)
    expect(run.output).toMatch(ANSI) // the live view moves the cursor
    expect(run.output).toMatch(/✔\S* Test AT startup \(\d+ ms\)/)
    expect(run.output).toMatch(/waiting for `\+WS_DATA:0,4,test` \(\d\.\d s left\)/)
    expect(run.output).toMatch(/✖\S* Wait for data that never comes \(1\d{3} ms\): timed out after 1500 ms/)
    expect(run.output).not.toMatch(/\[\d+\.\ds\]/) // no listr2 timer in tenths of a second
  })

  it('with CI=true: a plain line per step and not one ANSI code, even on a terminal', async () => {
    const run = await onTerminal(['test/fixtures/report/passes.yaml', 'test/fixtures/report/fails.yaml'], { CI: 'true' })
    expect(run.code).toBe(1)
    expect(run.output).not.toMatch(ANSI)
    expect(run.output).toMatch(/^✔ Test AT startup \(\d+ ms\)\r?$/m)
    expect(run.output).toMatch(/^✖ Set an impossible Wi-Fi mode \(\d+ ms\): the device answered `ERROR`/m)
  })

  it('with CI=true and --color: colours, still a plain line per step', async () => {
    const run = await onTerminal(['test/fixtures/report/passes.yaml', '--color'], { CI: 'true' })
    expect(run.code).toBe(0)
    expect(run.output).toContain('\u001b[32m✔\u001b[39m Test AT startup')
    expect(run.output).not.toContain('\u001b[2K') // no cursor movement: lines only
  })
})
