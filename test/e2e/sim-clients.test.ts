import { execFile } from 'node:child_process'
import { connect } from 'node:net'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { freePort, isListening } from '../helpers/net.ts'
import { removeReportsDirs, reportsDir } from '../simulator/reports-dir.ts'
import { usePtySim } from '../helpers/resources.ts'
import { startSim } from '../helpers/sim.ts'

const run = promisify(execFile)
const SYSTEM_PYTHON = '/usr/bin/python3' // Debian's, with python3-serial
const GMR =
  'AT version:3.3.0.0(3b13d04 - ESP32C3 - May  8 2024 08:21:54)\r\nSDK version:v5.0.6-dirty\r\ncompile time(be332568):May  8 2024 08:51:33\r\nBin version:v3.3.0.0(MINI-1)\r\n'

/** Connects to 127.0.0.1:port, waits for the boot banner, writes `line`, returns everything received up to `end`. */
function talk(port: number, line: string, end: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let received = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      const booted = received.includes('ready\r\n')
      received += chunk
      if (!booted && received.includes('ready\r\n')) socket.write(line)
      if (received.endsWith(end)) {
        socket.destroy()
        resolve(received)
      }
    })
    socket.on('error', reject)
  })
}

const reports = () => ['--output-dir', reportsDir()]

afterAll(removeReportsDirs)

describe('at-scenario sim, used by programs that are not ours', () => {
  const pty = usePtySim()

  it('--pty: a plain pyserial client gets the exact bytes of the firmware', async () => {
    const sim = await pty.sim(['--pty'])
    expect(sim.address).toMatch(/^\/dev\/pts\/\d+$/)
    const { stdout } = await run(SYSTEM_PYTHON, [
      'test/fixtures/clients/pyserial-client.py',
      sim.address,
      'AT',
      'AT+GMR',
      'AT+CWJAP="espressif","1234567890"',
      'AT+CIPSNTPTIME?',
      'AT+NOPE',
      'ATE0',
      'AT+CWMODE?',
    ])
    const answers = stdout.trim().split('\n').map((hex) => Buffer.from(hex, 'hex').toString('latin1'))
    // pyserial flushes its input when it opens the port, so the boot banner may or may not be there.
    expect(answers[0]).toMatch(/^(\r\nready\r\n)?AT\r\n\r\nOK\r\n$/)
    expect(answers[1]).toBe(`AT+GMR\r\n${GMR}\r\nOK\r\n`)
    expect(answers[2]).toBe('AT+CWJAP="espressif","1234567890"\r\nWIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n')
    // Not synced: the clock counts from the epoch; no blank line before OK.
    expect(answers[3]).toMatch(/^AT\+CIPSNTPTIME\?\r\n\+CIPSNTPTIME:Thu Jan {2}1 00:00:\d\d 1970\r\nOK\r\n$/)
    expect(answers[4]).toBe('AT+NOPE\r\n\r\nERROR\r\n')
    expect(answers[5]).toBe('ATE0\r\n\r\nOK\r\n')
    expect(answers[6]).toBe('+CWMODE:1\r\n\r\nOK\r\n') // echo is off now
    expect(await sim.stop()).toBe(0)
  })

  it('--pty: a shell client (stty, printf, head) gets `ready`, then the echo and OK', async () => {
    const sim = await pty.sim(['--pty'])
    const script = 'stty -F "$1" raw -echo && exec 3<>"$1" && printf "AT\\r\\n" >&3 && head -c 19 <&3'
    const { stdout } = await run('sh', ['-c', script, 'sh', sim.address], { encoding: 'latin1' })
    expect(stdout).toBe('\r\nready\r\nAT\r\n\r\nOK\r\n')
  })

  it('--pty --profile with line faults (split writes, 115200 baud, latency, noise before ready): tcp-echo.yaml still passes', async () => {
    const sim = await pty.sim(['--pty', '--profile', 'test/fixtures/profiles/flaky-uart.yaml'])
    const port = await freePort()
    const result = await runCli(['scenarios/tcp-echo.yaml', '--port', sim.address, '--var', 'host.ip=127.0.0.1', '--var', `port=${port}`, ...reports()])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/PASSED .*7 passed/)
    expect(await isListening(port)).toBe(false)
  })

  it('--listen --profile: each TCP connection gets a fresh device with that profile', async () => {
    const listen = await freePort()
    await pty.sim(['--listen', `tcp://127.0.0.1:${listen}`, '--profile', 'test/fixtures/profiles/other-router.yaml'])
    for (let i = 0; i < 2; i++) {
      const answer = await talk(listen, 'AT+CWJAP="lab-router","lab-password"\r\n', 'OK\r\n')
      expect(answer).toBe('\r\nready\r\nAT+CWJAP="lab-router","lab-password"\r\nWIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n')
    }
  })

  it('--listen --profile with a mistake: exit 2, the mistake at file:line:col, nothing served', async () => {
    const listen = await freePort()
    const failed = await startSim(['--listen', `tcp://127.0.0.1:${listen}`, '--profile', 'test/fixtures/profiles/invalid.yaml']).catch(
      (e: { code: number; stderr: string }) => e,
    )
    expect('code' in failed && failed.code).toBe(2)
    const stderr = (failed as { stderr: string }).stderr
    expect(stderr).toContain('error[unknown-key]: unknown key `acessPoints` in the device profile')
    expect(stderr).toContain('--> test/fixtures/profiles/invalid.yaml:2:1')
    expect(stderr).toContain('did you mean `accessPoints`?')
    expect(stderr).toContain('the simulator was not started.')
    expect(await isListening(listen)).toBe(false)
  })
})

describe('--profile on a run', () => {
  it('a profile with mistakes: exit 2, every mistake located with a code frame, nothing run', async () => {
    const port = await freePort()
    const result = await runCli(['scenarios/tcp-echo.yaml', '--profile', 'test/fixtures/profiles/invalid.yaml', '--var', `port=${port}`])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('error[unknown-key]: unknown key `acessPoints` in the device profile\n --> test/fixtures/profiles/invalid.yaml:2:1')
    expect(result.stderr).toContain('error[bad-duration]: `sntp.syncDelay` must be a duration such as `250ms`, `5s`, `2m`, or a number of milliseconds\n --> test/fixtures/profiles/invalid.yaml:5:14')
    expect(result.stderr).toContain('5 |   syncDelay: soon\n  |              ^^^^')
    expect(result.stderr).toContain('error[file-unreadable]: cannot read no-such-ca.crt: no such file\n --> test/fixtures/profiles/invalid.yaml:7:13')
    expect(result.stderr).toContain('3 errors in the device profile; nothing was run.')
    expect(await isListening(port)).toBe(false)
  })

  it('the scenario\'s simulator.profile is used, and --profile beats it', async () => {
    // The fixture names a profile whose router is not the doc's; --profile puts the doc's back.
    const own = await runCli(['test/fixtures/profile-in-scenario.yaml', ...reports()])
    expect(own.code).toBe(1)
    expect(own.stdout).toContain('running on the built-in ESP-AT simulator with profile other-router.yaml')
    expect(own.stderr).toContain('+CWJAP:3')
    const overridden = await runCli(['test/fixtures/profile-in-scenario.yaml', '--profile', 'test/fixtures/profiles/fast.yaml', ...reports()])
    expect(overridden.stderr).toBe('')
    expect(overridden.code).toBe(0)
  })

  it('the same line faults on the built-in simulator (below serialport, as a binding): tcp-echo.yaml passes', async () => {
    const port = await freePort()
    const result = await runCli(['scenarios/tcp-echo.yaml', '--profile', 'test/fixtures/profiles/flaky-uart.yaml', '--var', `port=${port}`, ...reports()])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('running on the built-in ESP-AT simulator with profile flaky-uart.yaml')
  })

  it('--reset hard on the built-in simulator: DTR/RTS reach its EN pin as on a board, and it boots again', async () => {
    const port = await freePort()
    const result = await runCli(['scenarios/tcp-echo.yaml', '--reset', 'hard', '--var', `port=${port}`, ...reports()])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/✔ Reset the device \(DTR\/RTS\)/)
  })

  it('--profile with --port is refused: the profile only configures the simulator', async () => {
    const result = await runCli(['scenarios/tcp-echo.yaml', '--port', '/dev/ttyUSB0', '--profile', 'test/fixtures/profiles/fast.yaml'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--profile configures the built-in simulator; it has no effect with --port')
  })
})
