import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { freePort, isListening } from '../helpers/net.ts'

describe('the scenario language end to end on the simulator', () => {
  it('--var, an env fallback, a capture, a secret and an include in one scenario; the secret is never shown', async () => {
    const port = await freePort()
    // The secret is the env fallback of `wifi_password`: the simulated router's password.
    const secret = '1234567890'
    const out = mkdtempSync(join(tmpdir(), 'at-scenario-language-'))
    const run = await runCli([
      'test/fixtures/language/everything.yaml',
      '--reporter',
      'junit,json',
      '--output-dir',
      out,
      '--var',
      `port=${port}`,
      '--var',
      'greeting_length=5',
      '--var',
      'label=from the command line',
    ])
    expect(run.code, run.stderr).toBe(0)
    // The include's step names use its variables; the capture reached a later command.
    expect(run.stdout).toMatch(/✔ Join espressif/)
    expect(run.stdout).toMatch(/✔ Echo of hello/)
    // The optional step that times out is a warning, not a failure.
    expect(run.stdout).toMatch(/PASSED .*8 passed, 1 optional failed \(warning\)/)
    expect(run.stderr).toContain('warning[timeout]: optional step "Echo as a line" errored')
    expect(run.stdout + run.stderr).not.toContain(secret)
    // Nor in any file: the transcript, JUnit and JSON.
    const files = readdirSync(out)
    expect(files).toEqual(expect.arrayContaining(['junit.xml', 'results.json', 'everything.transcript.txt']))
    for (const f of files) expect(readFileSync(join(out, f), 'utf8')).not.toContain(secret)
    expect(readFileSync(join(out, 'everything.transcript.txt'), 'utf8')).toContain('***')
    expect(await isListening(port)).toBe(false)
  })

  it('the same scenario with a wrong password shows the command with the secret masked', async () => {
    const port = await freePort()
    const run = await runCli(['test/fixtures/language/everything.yaml', '--var', `port=${port}`, '--var', 'greeting_length=5'], {
      env: { AT_TEST_WIFI_PASSWORD: 'not-the-password-77' },
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('→ AT+CWJAP="espressif","***"')
    expect(run.stdout + run.stderr).not.toContain('not-the-password-77')
  })

  it('--tag selects scenarios and --exclude-tag leaves them out', async () => {
    const files = ['test/fixtures/language/everything.yaml', 'test/fixtures/cli/join.yaml']
    const excluded = await runCli([...files, '--var', 'greeting_length=5', '--exclude-tag', 'language'])
    expect(excluded.code).toBe(0)
    expect(excluded.stdout).toContain('test/fixtures/language/everything.yaml: skipped (tags language do not match --tag/--exclude-tag)')
    expect(excluded.stdout).toContain('PASSED test/fixtures/cli/join.yaml')
    expect(excluded.stdout).not.toContain('everything.yaml: running on')
    const tagged = await runCli([...files, '--var', 'greeting_length=5', '--tag', 'wifi'])
    expect(tagged.code).toBe(0)
    expect(tagged.stdout).toContain('everything.yaml: skipped (tags language do not match --tag/--exclude-tag)')
    expect(tagged.stdout).toContain('PASSED test/fixtures/cli/join.yaml')
    expect(tagged.stdout).not.toContain('everything.yaml: running on')
  })
})
