import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { freePort, isListening, processesMatching } from '../helpers/net.ts'

describe('a step the device answers with ERROR', () => {
  it('fails at once on ERROR (not at its 2-minute timeout), shows what came, runs teardown, stops the server, exits 1', async () => {
    const port = await freePort()
    const dead = await freePort()
    const run = await runCli(['test/fixtures/wsopen-error.yaml', '--var', `port=${port}`, '--var', `dead_port=${dead}`])
    expect(run.code).toBe(1)
    // Names the step and its place in the file, says what happened and what was received.
    expect(run.stderr).toContain('step "Connect to the WebSocket server" failed: the device answered `ERROR` while the step waited for `+WS_CONNECTED:0`')
    expect(run.stderr).toMatch(/--> test\/fixtures\/wsopen-error\.yaml:16:5/)
    expect(run.stderr).toMatch(/→ AT\+WSOPEN=0,"ws:\/\/127\.0\.0\.1:\d+"/)
    expect(run.stderr).toMatch(/← \+WS_DISCONNECTED:0 {2}\(unsolicited\)/)
    expect(run.stderr).toMatch(/← ERROR/)
    expect(run.stderr).not.toContain('timed out')
    // The rest was skipped, teardown still ran.
    expect(run.stdout).toMatch(/↓ Never reached/)
    expect(run.stdout).toMatch(/✔ teardown: Close the WebSocket link/)
    expect(run.stdout).toMatch(/FAILED .*: 3 passed, 1 failed, 1 skipped/)
    expect(await isListening(port)).toBe(false)
    expect(processesMatching(`--port ${port}`)).toEqual([])
  })
})

describe('a prerequisite that cannot start', () => {
  it('a Python without websockets: exit 3 with the module named and how to install it', async () => {
    const port = await freePort()
    // -S: no site-packages, so Debian's websockets is out of reach, as on a machine without it.
    const python = `${process.cwd()}/test/fixtures/bin/python-without-site`
    const run = await runCli(['scenarios/tcp-echo.yaml', '--var', `port=${port}`], { env: { PYTHON: python } })
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('prerequisite "Python WebSocket echo server" did not start')
    expect(run.stderr).toContain("has no Python module `websockets`")
    expect(run.stderr).toContain('apt-get install python3-websockets')
    expect(run.stderr).toContain("ModuleNotFoundError: No module named 'websockets'")
    expect(run.stdout).toMatch(/NOT RUN/)
  })

  it('a command that does not exist: exit 3, command not found', async () => {
    const run = await runCli(['scenarios/tcp-echo.yaml'], { env: { PYTHON: 'no-such-python-here' } })
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('cannot start `no-such-python-here`: command not found')
  })
})

describe('Ctrl-C in the middle of a step', () => {
  it('stops the step, runs teardown, stops the server and exits 130', async () => {
    const port = await freePort()
    let sent = false
    const run = await runCli(['test/fixtures/interrupt.yaml', '--var', `port=${port}`], {
      onStdout: (out, child) => {
        if (!sent && /❯ Wait for a message that never comes/.test(out)) {
          sent = true
          child.kill('SIGINT')
        }
      },
    })
    expect(sent).toBe(true)
    expect(run.code).toBe(130)
    expect(run.stderr).toContain('Interrupted: running teardown')
    expect(run.stderr).toContain('interrupted (Ctrl-C or SIGTERM)')
    expect(run.stdout).toMatch(/✔ teardown: Teardown after the interruption/)
    expect(run.stdout).toMatch(/INTERRUPTED/)
    expect(await isListening(port)).toBe(false)
    expect(processesMatching(`--port ${port}`)).toEqual([])
  })
})
