import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SerialPort } from 'serialport'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { usePtySim } from '../helpers/resources.ts'
import { freePort, isListening, processesMatching } from '../helpers/net.ts'
import { checkResultJson, junitFiles, parseTranscript } from '../report/checks.ts'

const junit = junitFiles()
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

describe('what serial ports do to a run', () => {
  const pty = usePtySim()

  it('a port already in use: exit 3 with a clear message, no hang', async () => {
    const pair = await pty.pair()
    const holder = new SerialPort({ path: pair.host, baudRate: 115200, autoOpen: false, lock: true })
    await new Promise<void>((resolve, reject) => holder.open((e) => (e ? reject(e) : resolve())))
    try {
      const run = await runCli(['scenarios/tcp-echo.yaml', '--port', pair.host, '--var', 'host.ip=127.0.0.1'])
      expect(run.code).toBe(3)
      expect(run.stderr).toContain(`cannot open ${pair.host}: the port is in use by another program`)
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()))
    }
  })

  it('the port vanishing mid-step (pseudo-terminal closed): the step errors, prerequisites stop, exit 1', async () => {
    const { pair } = await pty.served()
    const port = await freePort()
    let closed = false
    const out = mkdtempSync(join(tmpdir(), 'at-scenario-vanish-'))
    dirs.push(out)
    const run = await runCli(['test/fixtures/interrupt.yaml', '--port', pair.host, '--var', 'host.ip=127.0.0.1', '--var', `port=${port}`, '--reporter', 'junit,json', '--output-dir', out], {
      onStdout: (out) => {
        if (!closed && /❯ Wait for a message that never comes/.test(out)) {
          closed = true
          void pair.close() // socat goes away: both ends of the pseudo-terminal close
        }
      },
    })
    expect(closed).toBe(true)
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/step "Wait for a message that never comes" errored: the link to the device closed/)
    // Teardown was attempted and could not write: reported, not hung.
    expect(run.stderr).toMatch(/teardown step "Teardown after the interruption" errored/)
    expect(await isListening(port)).toBe(false)
    expect(processesMatching(`--port ${port}`)).toEqual([])
    // The reports exist and parse.
    junit.check(join(out, 'junit.xml'))
    expect(checkResultJson(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).valid).toBe(true)
    expect(parseTranscript(readFileSync(join(out, 'interrupt.transcript.txt'), 'utf8')).records.length).toBeGreaterThan(0)
  })

  it('AT_SCENARIO_PORT is the default port, for CI runners', async () => {
    const { pair } = await pty.served()
    const run = await runCli(['test/fixtures/parallel/a.yaml', '--var', 'host.ip=127.0.0.1'], { env: { AT_SCENARIO_PORT: pair.host } })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain(`running on ${pair.host} at 115200 baud`)
  })
})

describe('device.reset and --reset', () => {
  const pty = usePtySim()

  it('soft: AT+RST, its OK and the ready after it, as the first step; then the scenario', async () => {
    const port = await freePort()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--reset', 'soft', '--var', `port=${port}`])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/✔ Reset the device \(AT\+RST\)/)
    expect(run.stdout).toMatch(/PASSED .*8 passed/)
  })

  it('hard on a pseudo-terminal: refused with a clear message, not a hang (exit 1)', async () => {
    const { pair } = await pty.served()
    const port = await freePort()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', pair.host, '--reset', 'hard', '--var', 'host.ip=127.0.0.1', '--var', `port=${port}`])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('step "Reset the device (DTR/RTS)" errored: hard reset failed:')
    expect(run.stderr).toContain('cannot drive DTR/RTS (a pseudo-terminal has no modem lines)')
    expect(run.stdout).toMatch(/↓ Set Wi-Fi mode to station/)
    expect(await isListening(port)).toBe(false)
  })

  it('hard over raw TCP: refused, the port has no control lines', async () => {
    const listen = await freePort()
    await pty.sim(['--listen', `tcp://127.0.0.1:${listen}`])
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', `tcp://127.0.0.1:${listen}`, '--reset', 'hard', '--var', 'host.ip=127.0.0.1'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`tcp://127.0.0.1:${listen} cannot drive DTR/RTS, so it cannot hard-reset the board`)
  })
})

junit.declareXsdTest()
