import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, runCli } from '../helpers/cli.ts'
import { freePort } from '../helpers/net.ts'
import { ptyPair } from '../helpers/pty.ts'
import type { PtyPair } from '../helpers/pty.ts'
import type { Ser2net } from '../helpers/ser2net.ts'
import { startSer2netWith } from '../helpers/ser2net-config.ts'
import { startSim } from '../helpers/sim.ts'
import type { SimProcess } from '../helpers/sim.ts'

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * A client that holds a ser2net port: connected, and still connected a moment later (ser2net
 * refuses a connection while another of its ports has the device, as after a test that just ended).
 */
async function hold(port: number): Promise<Socket> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const socket = connect({ host: '127.0.0.1', port })
    let text = ''
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')))
    const closed = new Promise<boolean>((r) => socket.once('close', () => r(true)))
    const stayed = await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), 300))])
    if (!stayed && !text.includes('in use')) return socket
    socket.destroy()
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`could not hold 127.0.0.1:${port}`)
}

/**
 * A LAVA dispatcher's serial console in miniature: the simulator on one end of a pseudo-terminal
 * pair, Debian's ser2net serving the other end on 127.0.0.1 as plain telnet (with a banner and
 * `kickolduser`, as LAVA labs configure it), as telnet without `kickolduser`, and as raw TCP; the
 * runner reaching it through `telnet://`, and through `--port lava` with the variables a LAVA
 * `docker` test action exports.
 */
describe('telnet:// and LAVA through ser2net', () => {
  let pair: PtyPair
  let sim: SimProcess | undefined
  let ser2net: Ser2net | undefined
  let dir: string
  const port = { telnet: 0, exclusive: 0, raw: 0 }
  // ser2net fills in \p (the accepter); the test knows what it is.
  const banner = () => `lab rack 3 port telnet,tcp,127.0.0.1,${port.telnet}\r\n`
  const scenario = (name: string, text: string) => {
    const file = join(dir, `${name}.yaml`)
    writeFileSync(file, text)
    return file
  }
  let pause: string
  let failing: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'at-scenario-labs-'))
    pair = await ptyPair()
    sim = await startSim(['--port', pair.device])
    port.telnet = await freePort()
    port.exclusive = await freePort()
    port.raw = await freePort()
    ser2net = await startSer2netWith(pair.host, [
      { accepter: `telnet,tcp,127.0.0.1,${port.telnet}`, port: port.telnet, banner: 'lab rack 3 port \\p\\r\\n' },
      { accepter: `telnet,tcp,127.0.0.1,${port.exclusive}`, port: port.exclusive, kickolduser: false },
      { accepter: `tcp,127.0.0.1,${port.raw}`, port: port.raw },
    ])
    pause = scenario('pause', 'name: AT, a pause, AT\nsteps:\n  - send: AT\n  - sleep: 3s\n  - send: AT\nteardown:\n  - send: AT\n')
    failing = scenario('failing', 'name: A mode the device refuses\nsteps:\n  - send: AT\n  - name: Set an impossible mode\n    send: AT+CWMODE=9\n')
  })

  afterAll(async () => {
    await ser2net?.stop()
    await sim?.stop()
    await pair?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const out = (name: string) => join(dir, `reports-${name}`)

  it("tcp-echo.yaml passes over ser2net's telnet accepter; its banner is taken off and shown in the transcript as the server's", async () => {
    const ws = await freePort()
    const run = await runCli([
      'scenarios/tcp-echo.yaml', '--port', `telnet://127.0.0.1:${port.telnet}`, '--banner', '/lab rack \\d+ port .*\\r\\n/',
      '--var', 'host.ip=127.0.0.1', '--var', `port=${ws}`, '--output-dir', out('telnet'),
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`running on telnet://127.0.0.1:${port.telnet}`)
    expect(run.stdout).toMatch(/PASSED .*7 passed/)
    const transcript = readFileSync(join(out('telnet'), 'tcp-echo.transcript.txt'), 'utf8')
    expect(transcript).toContain(`==  note: banner of the serial server (before the device's bytes; not given to the steps): ${JSON.stringify(banner())}`)
    // Not one line from the device holds it: it never reached the framer.
    expect(transcript.split('\n').filter((l) => l.includes(' <- ') && l.includes('lab rack'))).toEqual([])
  })

  it('the banner given as text with C escapes works too; one that is not what the server sends keeps the port from opening (exit 3)', async () => {
    const ok = await runCli([failing, '--port', `telnet://127.0.0.1:${port.telnet}`, '--banner', banner().replace('\r\n', '\\r\\n'), '--output-dir', out('text')])
    // It opened, and the device answered its first AT (the scenario's second step fails by design).
    expect(ok.stdout).toContain('✔ AT (')
    const wrong = await runCli([pause, '--port', `telnet://127.0.0.1:${port.telnet}`, '--banner', 'lab rack 4\\r\\n', '--output-dir', out('wrong')])
    expect(wrong.code).toBe(3)
    expect(wrong.stderr).toContain(`at-scenario: cannot open telnet://127.0.0.1:${port.telnet}: what the server sent first is not the banner \`lab rack 4\\r\\n\`: ${JSON.stringify(banner())}`)
  })

  it('another client taking the port over (kickolduser) errors the running step with why; teardown and the reports still happen', async () => {
    let intruder: Socket | undefined
    const run = await runCli([pause, '--port', `telnet://127.0.0.1:${port.telnet}`, '--reporter', 'json', '--output-dir', out('kick')], {
      onStdout: (soFar) => {
        // The first AT passed; the run is in its pause: another client connects to the same port.
        if (!intruder && soFar.includes('✔ AT')) intruder = connect({ host: '127.0.0.1', port: port.telnet })
      },
    })
    if (intruder) await new Promise<void>((r) => intruder!.end(() => r()))
    expect(run.code).toBe(1)
    const why = 'the link to the device closed (the server closed the connection: another client connected to the port and took it over (ser2net with `kickolduser: true`), or the server stopped)'
    // A step's duration is not the point: the step after the take-over errors with why.
    expect(run.stdout).toMatch(new RegExp(`✖ AT \\(\\d+ ms\\): ${escapeRegExp(why)}`))
    expect(run.stdout).toMatch(new RegExp(`✖ teardown: AT \\(\\d+ ms\\): ${escapeRegExp(why)}`))
    const results = JSON.parse(readFileSync(join(out('kick'), 'results.json'), 'utf8')) as { complete: boolean; scenarios: { steps: { status: string; failure?: { reason: string } }[] }[] }
    expect(results.complete).toBe(true)
    expect(results.scenarios[0]!.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'errored'])
    expect(results.scenarios[0]!.steps[2]!.failure?.reason).toBe('link-closed')
  })

  it("a port another client holds (no kickolduser) does not open: ser2net's refusal is named (exit 3)", async () => {
    const holder = await hold(port.exclusive)
    try {
      const run = await runCli([pause, '--port', `telnet://127.0.0.1:${port.exclusive}`, '--output-dir', out('held')])
      expect(run.code).toBe(3)
      expect(run.stderr).toContain(
        `at-scenario: cannot open telnet://127.0.0.1:${port.exclusive}: the server refused the connection: "Port already in use" (another client holds this port (set \`kickolduser: true\` on the connection to take it over))`,
      )
    } finally {
      holder.destroy()
    }
  })

  it('telnet:// to a raw TCP port says so (exit 3) without writing a byte to the device: the next run on it passes', async () => {
    const run = await runCli([pause, '--port', `telnet://127.0.0.1:${port.raw}`, '--output-dir', out('raw')])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('the server sent no telnet negotiation within 2000 ms (a telnet server offers its options on connect; a raw TCP port says nothing: use tcp://)')
    const next = await runCli([failing, '--port', `tcp://127.0.0.1:${port.raw}`, '--output-dir', out('raw-next')])
    // Its first step, a bare AT, passes: no negotiation bytes were left in the device's line.
    expect(next.stdout).toMatch(/✔ AT \(/)
  })

  /** What LAVA's docker test action exports for a device with two UARTs, uart1 tagged primary. */
  const lavaEnv = (more: Record<string, string> = {}) => ({
    LAVA_CONNECTION_COMMAND: `telnet 127.0.0.1 ${port.telnet}`,
    LAVA_CONNECTION_COMMAND_UART0: `telnet 127.0.0.1 ${port.telnet}`,
    LAVA_CONNECTION_COMMAND_UART1: `telnet 127.0.0.1 ${port.telnet}`,
    LAVA_BOARD_ID: '0123456789',
    ...more,
  })

  /** LAVA signal lines of a run's stdout, split as LAVA's test shell splits them. */
  const signals = (stdout: string) =>
    stdout
      .split('\n')
      .flatMap((l) => {
        const m = /^<LAVA_SIGNAL_(\S+) ([^>]+)>$/.exec(l)
        return m ? [{ name: m[1]!, params: Object.fromEntries(m[2]!.split(' ').map((p) => (p.includes('=') ? p.split('=', 2) : [p, true]))) as Record<string, string | true> }] : []
      })

  it('--port lava takes the console from LAVA_CONNECTION_COMMAND; --reporter lava prints a test set of test cases LAVA parses', async () => {
    const ws = await freePort()
    const run = await runCli(
      ['scenarios/tcp-echo.yaml', '--port', 'lava', '--banner', '/lab rack.*\\r\\n/', '--reporter', 'lava', '--var', 'host.ip=127.0.0.1', '--var', `port=${ws}`, '--output-dir', out('lava')],
      { env: lavaEnv() },
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`tcp-echo.yaml: running on LAVA board 0123456789 at telnet://127.0.0.1:${port.telnet} (LAVA_CONNECTION_COMMAND)`)
    const got = signals(run.stdout)
    expect(got.map((s) => s.name)).toEqual(['TESTSET', ...Array<string>(8).fill('TESTCASE'), 'TESTSET', 'TESTCASE'])
    expect(got[0]!.params).toEqual({ START: true, 'tcp-echo': true })
    expect(got.slice(1, 9).map((s) => s.params.TEST_CASE_ID)).toEqual([
      'prerequisite-python-websocket-echo-server',
      '01-set-wi-fi-mode-to-station',
      '02-connect-to-the-router',
      '03-connect-to-the-websocket-server',
      '04-send-4-bytes',
      '05-write-the-4-bytes-at-the-prompt',
      '06-receive-4-bytes',
      'teardown-01-close-the-websocket-link',
    ])
    for (const s of got.slice(1, 9)) {
      expect(s.params.RESULT).toBe('pass')
      expect(s.params.UNITS).toBe('ms')
      expect(Number.isFinite(Number(s.params.MEASUREMENT))).toBe(true)
    }
    expect(got[9]!.params).toEqual({ STOP: true })
    expect(got[10]!.params).toMatchObject({ TEST_CASE_ID: 'tcp-echo', RESULT: 'pass', UNITS: 'seconds' })
    // No report file for a report on stdout: the transcript is all that is written.
    expect(run.stdout).toMatch(/\nWritten: \S+tcp-echo\.transcript\.txt\n$/)
  })

  it('--port lava:uart0 takes that UART; a failed step is RESULT=fail, the steps after it skip, the scenario fails', async () => {
    const run = await runCli([failing, '--port', 'lava:uart0', '--reporter', 'lava', '--output-dir', out('lava-fail')], { env: lavaEnv() })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('(LAVA_CONNECTION_COMMAND_UART0)')
    const cases = signals(run.stdout).filter((s) => s.name === 'TESTCASE').map((s) => `${String(s.params.TEST_CASE_ID)} ${String(s.params.RESULT)}`)
    expect(cases).toEqual(['01-at pass', '02-set-an-impossible-mode fail', 'failing fail'])
  })

  it('--reset hard runs LAVA_HARD_RESET_COMMAND (its && commands in turn, without a shell) and waits for the board to say ready', async () => {
    const log = join(dir, 'reset.log')
    rmSync(log, { force: true })
    const reset = join(ROOT, 'test/fixtures/labs/board-reset.sh')
    const run = await runCli([failing, '--port', 'lava', '--reset', 'hard', '--output-dir', out('reset')], {
      env: lavaEnv({ LAVA_HARD_RESET_COMMAND: `${reset} ${log} ${pair.device} 0 1 && ${reset} ${log} ${pair.device} 2` }),
    })
    expect(run.stdout).toMatch(/✔ Reset the device \(LAVA_HARD_RESET_COMMAND\) \(\d+ ms\)/)
    expect(readFileSync(log, 'utf8')).toBe('reset 0 1\nreset 2\n')
    // The scenario's own failure comes after: the reset step passed.
    expect(run.stdout).toContain('✔ AT (')
  })

  it('a LAVA_HARD_RESET_COMMAND that fails errors the reset step with its exit code and output; the rest is skipped', async () => {
    const reset = join(ROOT, 'test/fixtures/labs/board-reset.sh')
    const run = await runCli([pause, '--port', 'lava', '--reset', 'hard', '--output-dir', out('reset-fail')], {
      env: lavaEnv({ LAVA_HARD_RESET_COMMAND: `${reset} ${join(dir, 'reset-fail.log')} ${pair.device} fail` }),
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      `✖ Reset the device (LAVA_HARD_RESET_COMMAND)`,
    )
    expect(run.stdout).toContain(`hard reset failed: LAVA_HARD_RESET_COMMAND: \`${reset} ${join(dir, 'reset-fail.log')} ${pair.device} fail\` exited with code 3; its last output: relay 3: no answer`)
    expect(run.stdout).toContain('↓ AT (skipped)')
  })

  it('with lava-test-case and lava-test-set on PATH (a LAVA test shell), they are called for every case, and their lines are the log', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'at-scenario-lava-bin-'))
    const log = join(dir, 'lava-tools.log')
    rmSync(log, { force: true })
    try {
      symlinkSync(join(ROOT, 'test/fixtures/labs/fake-lava-test-case.sh'), join(bin, 'lava-test-case'))
      symlinkSync(join(ROOT, 'test/fixtures/labs/fake-lava-test-case.sh'), join(bin, 'lava-test-set'))
      const run = await runCli([failing, '--port', 'lava', '--reporter', 'lava', '--output-dir', out('tools')], {
        env: { ...lavaEnv(), PATH: `${bin}:${process.env.PATH}`, FAKE_LAVA_LOG: log },
      })
      expect(run.code).toBe(1)
      const calls = readFileSync(log, 'utf8').trimEnd().split('\n')
      expect(calls[0]).toBe('lava-test-set start failing')
      expect(calls[1]).toMatch(/^lava-test-case 01-at --result pass --measurement \d+ --units ms$/)
      expect(calls[2]).toMatch(/^lava-test-case 02-set-an-impossible-mode --result fail --measurement \d+ --units ms$/)
      expect(calls[3]).toBe('lava-test-set stop')
      expect(calls[4]).toMatch(/^lava-test-case failing --result fail --measurement [\d.]+ --units seconds$/)
      // Each case once in the log: the tools' own lines, none printed a second time.
      expect(signals(run.stdout).map((s) => s.name)).toEqual(['TESTSET', 'TESTCASE', 'TESTCASE', 'TESTSET', 'TESTCASE'])
    } finally {
      rmSync(bin, { recursive: true, force: true })
    }
  })

  it('a LAVA console that is no telnet command, or no LAVA variables at all, is a clear error (exit 3)', async () => {
    const ssh = await runCli([pause, '--port', 'lava', '--output-dir', out('ssh')], { env: { LAVA_CONNECTION_COMMAND: 'ssh -t lab conmux-console esp32' } })
    expect(ssh.code).toBe(3)
    expect(ssh.stderr).toContain(
      'at-scenario: LAVA_CONNECTION_COMMAND is `ssh -t lab conmux-console esp32`: at-scenario opens `telnet HOST PORT` consoles (LAVA\'s ser2net ones); for another kind of console give --port yourself',
    )
    const none = await runCli([pause, '--port', 'lava', '--output-dir', out('none')])
    expect(none.code).toBe(3)
    expect(none.stderr).toContain('--port lava: LAVA_CONNECTION_COMMAND is not set: at-scenario runs inside a LAVA `docker` test action')
  })
})
