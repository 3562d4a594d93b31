import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'

describe('bad input', () => {
  it('an unknown key and a wrong type: exit 2, each located at file:line:col with the line and a caret', async () => {
    const run = await runCli(['test/fixtures/invalid.yaml'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('error[unknown-key]: unknown key `expct` in `steps[0]`')
    expect(run.stderr).toContain('--> test/fixtures/invalid.yaml:4:5')
    expect(run.stderr).toContain('4 |     expct: OK')
    expect(run.stderr).toContain('  |     ^^^^^ did you mean `expect`?')
    expect(run.stderr).toContain('error[wrong-type]: `steps[1].timeout` must be a string or an integer, not a list')
    expect(run.stderr).toContain('--> test/fixtures/invalid.yaml:6:14')
    expect(run.stderr).toContain('2 errors; nothing was run.')
    expect(run.stderr).not.toMatch(/\bat .*\.js:\d+/) // no stack trace
  })

  it('validate accepts the shipped scenarios', async () => {
    const run = await runCli(['validate', 'scenarios/tcp-echo.yaml'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('✔ scenarios/tcp-echo.yaml')
  })

  it('validate checks a scenario\'s simulator profile too, located in the profile', async () => {
    const run = await runCli(['validate', 'test/fixtures/faults/bad-profile.yaml'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/--> test\/fixtures\/profiles\/invalid\.yaml:\d+:\d+/)
    expect(run.stderr).toContain('in the device profile; nothing was run.')
  })

  it('a command cut short by a YAML comment: an error at its file:line:col, before anything runs, with the value quoted as the fix', async () => {
    const run = await runCli(['test/fixtures/cli/comment-cut.yaml'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('error[unbalanced-quotes]: the double quotes of `AT+CWJAP="espressif","abc` do not pair up')
    expect(run.stderr).toContain('--> test/fixtures/cli/comment-cut.yaml:5:11')
    expect(run.stderr).toContain('`#1"` after a space starts a YAML comment, which cut the command short; quote the whole value: `send: \'AT+CWJAP="espressif","abc #1"\'`')
    expect(run.stderr).toContain('1 error; nothing was run.')
  })

  it('a run: string with a quote never closed: an error at the quote, nothing started', async () => {
    const run = await runCli(['test/golden/validate/run-unclosed-quote/scenario.yaml'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain(
      "error[bad-value]: the single quote opened here in `run` is never closed\n --> test/golden/validate/run-unclosed-quote/scenario.yaml:5:24\n",
    )
    expect(run.stderr).toContain('2 errors; nothing was run.')
  })

  it('a long source line is cut around the caret, which stays under the mistake', async () => {
    const run = await runCli(['validate', 'test/golden/validate/long-line/scenario.yaml'])
    expect(run.code).toBe(2)
    const [source, caret] = run.stderr.split('\n').slice(3, 5).map((l) => l.replace(/^\d* *\| /, ''))
    expect(source!.startsWith('…') && source!.endsWith('…')).toBe(true)
    expect([...source!].length).toBe(100)
    expect(source!.slice(caret!.indexOf('^'))).toMatch(/^\$\{devcie_id\}/)
  })

  it('a missing file: exit 2, named', async () => {
    const run = await runCli(['nope.yaml'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('cannot read nope.yaml: no such file')
  })

  it('an unknown option: exit 2, one line and a pointer to --help, not the whole usage', async () => {
    const run = await runCli(['scenarios/tcp-echo.yaml', '--bogus'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('at-scenario: unknown option `--bogus`\nSee `at-scenario --help`.\n')
  })

  it('no argument at all: exit 2 with the usage', async () => {
    const run = await runCli([])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^at-scenario: no scenario file given\n\nUsage:\n/)
    expect(run.stderr).toContain('Options of sim:')
  })

  it('a port that cannot be opened: exit 3, said plainly', async () => {
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', '/dev/ttyNOSUCH0'])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('cannot open /dev/ttyNOSUCH0: no such device')
  })
})
