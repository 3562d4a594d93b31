import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ROOT, runCli } from '../helpers/cli.ts'
import { freePort } from '../helpers/net.ts'
import { ptyPair } from '../helpers/pty.ts'
import type { PtyPair } from '../helpers/pty.ts'
import type { Ser2net } from '../helpers/ser2net.ts'
import { startSer2netWith } from '../helpers/ser2net-config.ts'
import { startSim } from '../helpers/sim.ts'
import type { SimProcess } from '../helpers/sim.ts'

/**
 * A labgrid exporter in miniature: the simulator on a pseudo-terminal, published by Debian's ser2net
 * as RFC 2217 (what labgrid's exporter runs) and as raw TCP. The runner reaches it through a labgrid
 * environment file (offline, for real), and through a coordinator place, with a stand-in for
 * labgrid-client (test/fixtures/labs/fake-labgrid-client.mjs) that prints what the real one prints
 * and logs every call, so that acquire and release can be counted on every way a run ends.
 */
describe('labgrid', () => {
  let pair: PtyPair
  let sim: SimProcess | undefined
  let ser2net: Ser2net | undefined
  let dir: string
  let bin: string
  const port = { rfc2217: 0, raw: 0 }
  let pause: string
  let quick: string
  let failing: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'at-scenario-labgrid-'))
    bin = join(dir, 'bin')
    execFileSync('mkdir', ['-p', bin])
    symlinkSync(join(ROOT, 'test/fixtures/labs/fake-labgrid-client.mjs'), join(bin, 'labgrid-client'))
    pair = await ptyPair()
    sim = await startSim(['--port', pair.device])
    port.rfc2217 = await freePort()
    port.raw = await freePort()
    ser2net = await startSer2netWith(pair.host, [
      { accepter: `telnet(rfc2217),tcp,127.0.0.1,${port.rfc2217}`, port: port.rfc2217 },
      { accepter: `tcp,127.0.0.1,${port.raw}`, port: port.raw },
    ])
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text)
      return join(dir, name)
    }
    pause = write('pause.yaml', 'name: AT and a long pause\nsteps:\n  - send: AT\n  - sleep: 20s\nteardown:\n  - send: AT\n')
    quick = write('quick.yaml', 'name: AT\nsteps:\n  - send: AT\n  - send: AT+GMR\n    expect: [/^AT version:/, OK]\n')
    failing = write('failing.yaml', 'name: A mode the device refuses\nsteps:\n  - send: AT+CWMODE=9\n')
  })

  afterAll(async () => {
    await ser2net?.stop()
    await sim?.stop()
    await pair?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const out = (name: string) => join(dir, `reports-${name}`)

  describe('an environment file, offline', () => {
    const envFile = (resource: string) => {
      const file = join(dir, 'env.yaml')
      writeFileSync(file, `targets:\n  main:\n    resources:\n${resource}\n    drivers:\n      SerialDriver: {}\n`)
      return file
    }

    it('tcp-echo.yaml passes on the NetworkSerialPort of the main target (RFC 2217, at its speed)', async () => {
      const env = envFile(`      NetworkSerialPort:\n        host: 127.0.0.1\n        port: ${port.rfc2217}\n        speed: 115200`)
      const ws = await freePort()
      const run = await runCli(['scenarios/tcp-echo.yaml', '--port', 'labgrid', '-c', env, '--var', 'host.ip=127.0.0.1', '--var', `port=${ws}`, '--output-dir', out('env')])
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(run.stdout).toContain(`running on rfc2217://127.0.0.1:${port.rfc2217} at 115200 baud (labgrid target main of env.yaml)`)
      expect(run.stdout).toMatch(/PASSED .*7 passed/)
    })

    it('`protocol: raw` opens it as raw TCP; LG_ENV names the file for a bare --port labgrid; `!template` fills in LG_* variables', async () => {
      const env = envFile(`      - NetworkSerialPort:\n          name: at\n          host: !template $LG_EXPORTER\n          port: ${port.raw}\n          protocol: raw`)
      const run = await runCli([quick, '--port', 'labgrid', '--output-dir', out('raw')], { env: { LG_ENV: env, LG_EXPORTER: '127.0.0.1' } })
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(run.stdout).toContain(`running on tcp://127.0.0.1:${port.raw} (labgrid target main of env.yaml)`)
    })

    it('a target the file does not have, or a resource it does not have, is a clear error (exit 3)', async () => {
      const env = envFile(`      NetworkSerialPort:\n        host: 127.0.0.1\n        port: ${port.raw}`)
      const target = await runCli([quick, '--port', 'labgrid:esp32', '--labgrid-env', env, '--output-dir', out('x')])
      expect(target.code).toBe(3)
      expect(target.stderr).toContain('at-scenario: env.yaml has no target `esp32` (it has main)')
      const resource = await runCli([quick, '--port', 'labgrid:main/console', '--labgrid-env', env, '--output-dir', out('x')])
      expect(resource.code).toBe(3)
      expect(resource.stderr).toContain('at-scenario: env.yaml: target `main` has no serial resource `console` (it has NetworkSerialPort)')
    })
  })

  describe('a coordinator place (labgrid-client)', () => {
    let log: string
    let state: string
    const env = (more: Record<string, string> = {}) => ({
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_LG_LOG: log,
      FAKE_LG_STATE: state,
      FAKE_LG_PLACE: 'esp32-at-1',
      FAKE_LG_RESOURCE: JSON.stringify({ host: '127.0.0.1', port: port.rfc2217, speed: 115200 }),
      ...more,
    })
    /** The client commands the run made, in order: `acquire esp32-at-1`, `release esp32-at-1`... */
    const calls = () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trimEnd()
            .split('\n')
            .map((l) => {
              // `-c FILE` (an environment file's RemotePlace) is shown as `-c` before the command.
              const given = JSON.parse(l) as string[]
              const config = given[0] === '-c' ? ['-c'] : []
              const argv = given[0] === '-c' ? given.slice(2) : given
              const place = argv[0] === '-p' ? argv[1] : undefined
              const rest = argv[0] === '-p' ? argv.slice(2) : argv
              return [...config, rest[0], ...(place ? [place] : []), ...rest.slice(1)].join(' ')
            })
        : []
    const acquired = () => (JSON.parse(readFileSync(state, 'utf8')) as { acquired: string | false }).acquired

    beforeEach(() => {
      const n = Math.random().toString(36).slice(2)
      log = join(dir, `calls-${n}.log`)
      state = join(dir, `state-${n}.json`)
    })

    it('acquires the place, opens its NetworkSerialPort as `labgrid-client env` prints it, and releases it when the run passed', async () => {
      const run = await runCli([quick, '--port', 'labgrid:esp32-at-1', '--output-dir', out('place')], { env: env() })
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('quick.yaml: running on labgrid place esp32-at-1')
      expect(run.stdout).toContain('labgrid: released place esp32-at-1')
      expect(calls()).toEqual(['acquire esp32-at-1', 'env esp32-at-1', 'release esp32-at-1'])
      expect(acquired()).toBe(false)
    })

    it('holds the place across the scenarios of the run (one acquire, one release), and releases it when they fail', async () => {
      const run = await runCli([quick, failing, '--port', 'labgrid', '--output-dir', out('two')], { env: env({ LG_PLACE: 'esp32-at-1' }) })
      expect(run.code).toBe(1)
      expect(calls()).toEqual(['acquire esp32-at-1', 'env esp32-at-1', 'release esp32-at-1'])
      expect(acquired()).toBe(false)
    })

    it('releases it when its serial port does not open (exit 3)', async () => {
      const closed = await freePort()
      const run = await runCli([quick, '--port', 'labgrid:esp32-at-1', '--output-dir', out('closed')], {
        env: env({ FAKE_LG_RESOURCE: JSON.stringify({ host: '127.0.0.1', port: closed, speed: 115200 }) }),
      })
      expect(run.code).toBe(3)
      expect(run.stderr).toContain(`cannot connect to rfc2217://127.0.0.1:${closed} at 115200 baud (labgrid place esp32-at-1): ECONNREFUSED`)
      expect(calls()).toEqual(['acquire esp32-at-1', 'env esp32-at-1', 'release esp32-at-1'])
      expect(acquired()).toBe(false)
    })

    it('releases it on Ctrl-C: teardown runs, the place goes back, exit 130', async () => {
      let sent = false
      const run = await runCli([pause, '--port', 'labgrid:esp32-at-1', '--output-dir', out('sigint')], {
        env: env(),
        onStdout: (soFar, child) => {
          if (!sent && soFar.includes('✔ AT (')) {
            sent = true
            child.kill('SIGINT')
          }
        },
      })
      expect(sent).toBe(true)
      expect(run.code).toBe(130)
      expect(run.stdout).toContain('✔ teardown: AT (')
      expect(run.stdout).toContain('labgrid: released place esp32-at-1')
      expect(calls()).toEqual(['acquire esp32-at-1', 'env esp32-at-1', 'release esp32-at-1'])
      expect(acquired()).toBe(false)
    })

    it("an environment file's RemotePlace is acquired with that file (-c) and released on Ctrl-C, after the teardown", async () => {
      const file = join(dir, 'remote-env.yaml')
      writeFileSync(file, 'targets:\n  main:\n    resources:\n      RemotePlace:\n        name: esp32-at-1\n    drivers:\n      SerialDriver: {}\n')
      let sent = false
      const run = await runCli([pause, '--port', 'labgrid', '-c', file, '--output-dir', out('env-sigint')], {
        env: env(),
        onStdout: (soFar, child) => {
          if (!sent && soFar.includes('✔ AT (')) {
            sent = true
            child.kill('SIGINT')
          }
        },
      })
      expect(sent).toBe(true)
      expect(run.code).toBe(130)
      expect(run.stdout).toContain(`running on labgrid place esp32-at-1`)
      expect(run.stdout).toContain('✔ teardown: AT (')
      expect(run.stdout).toContain('labgrid: released place esp32-at-1')
      expect(calls()).toEqual(['-c acquire esp32-at-1', '-c env esp32-at-1', '-c release esp32-at-1'])
      expect(acquired()).toBe(false)
    })

    it('a place the coordinator will not give is not released (it may be another job\'s), and says why (exit 3)', async () => {
      writeFileSync(state, JSON.stringify({ acquired: 'other-host/other', token: null }))
      const run = await runCli([quick, '--port', 'labgrid:esp32-at-1', '--output-dir', out('taken')], { env: env() })
      expect(run.code).toBe(3)
      expect(run.stderr).toContain('`labgrid-client -p esp32-at-1 acquire` failed (exit code 1): labgrid-client: error: place esp32-at-1 is already acquired by other-host/other')
      expect(calls()).toEqual(['acquire esp32-at-1'])
      expect(acquired()).toBe('other-host/other')
    })

    it('--labgrid-reserve waits for a reservation, acquires the place it got, and cancels the reservation after the release', async () => {
      const run = await runCli([quick, '--port', 'labgrid', '--labgrid-reserve', 'board=esp32', '--labgrid-reserve', 'firmware=at', '--output-dir', out('reserve')], {
        env: env({ FAKE_LG_RESERVE_WAIT_MS: '300' }),
      })
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('running on a labgrid place reserved with board=esp32 firmware=at (waiting up to 10 min)')
      expect(calls()).toEqual(['reserve --wait --shell board=esp32 firmware=at', 'acquire +T0K3N', 'env esp32-at-1', 'release esp32-at-1', 'cancel-reservation T0K3N'])
    })

    it('a reservation that does not come within --labgrid-timeout is cancelled (exit 3); so is one waited for at Ctrl-C (exit 130)', async () => {
      const late = await runCli([quick, '--port', 'labgrid', '--labgrid-reserve', 'board=esp32', '--labgrid-timeout', '1s', '--output-dir', out('late')], {
        env: env({ FAKE_LG_RESERVE_WAIT_MS: '20000' }),
      })
      expect(late.code).toBe(3)
      expect(late.stderr).toContain('`labgrid-client reserve --wait --shell board=esp32` did not finish within 1 s')
      expect(calls()).toEqual(['reserve --wait --shell board=esp32', 'cancel-reservation T0K3N'])

      rmSync(log)
      let sent = false
      const interrupted = await runCli([quick, '--port', 'labgrid', '--labgrid-reserve', 'board=esp32', '--output-dir', out('late-sigint')], {
        env: env({ FAKE_LG_RESERVE_WAIT_MS: '20000' }),
        onStdout: (soFar, child) => {
          if (!sent && soFar.includes('running on a labgrid place')) {
            sent = true
            // The client is waiting for the allocation by now (it logs its call first).
            const wait = () => (existsSync(log) ? child.kill('SIGINT') : setTimeout(wait, 20))
            wait()
          }
        },
      })
      expect(interrupted.code).toBe(130)
      expect(calls()).toEqual(['reserve --wait --shell board=esp32', 'cancel-reservation T0K3N'])
    })

    it('with no labgrid-client installed, says how to get one (exit 3)', async () => {
      const run = await runCli([quick, '--port', 'labgrid:esp32-at-1', '--output-dir', out('none')], { env: { ...env(), PATH: '/usr/bin:/bin', AT_SCENARIO_LABGRID_CLIENT: 'no-such-labgrid-client' } })
      expect(run.code).toBe(3)
      expect(run.stderr).toContain("cannot run `no-such-labgrid-client`: not found. Install labgrid's client")
    })
  })

  /** Debian's python3-labgrid (0.4.1): the module, without the labgrid-client command (its coordinator needs crossbar). */
  const labgridPython = (() => {
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import labgrid.remote.client'], { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  })()

  describe("labgrid's own code (Debian's python3-labgrid)", () => {
    it.runIf(labgridPython)('reads docs/examples/labgrid-env.yaml as at-scenario does: the same host, port, speed and protocol', () => {
      const printed = execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          [
            'import sys',
            'from labgrid import Environment',
            'target = Environment(sys.argv[1]).get_target("main")',
            'r = target.get_resource("NetworkSerialPort")',
            'print(r.host, r.port, r.speed, r.protocol)',
          ].join('\n'),
          join(ROOT, 'docs/examples/labgrid-env.yaml'),
        ],
        { encoding: 'utf8', env: { ...process.env, LG_EXPORTER: 'exporter-1' } },
      )
      expect(printed.trim()).toBe('exporter-1 4001 115200 rfc2217')
    })

    it.runIf(labgridPython)('its client, with no coordinator to reach, fails the run with its own words (exit 3), and nothing is held', async () => {
      const nobody = await freePort()
      const run = await runCli([quick, '--port', 'labgrid:esp32-at-1', '--output-dir', out('real')], {
        env: { AT_SCENARIO_LABGRID_CLIENT: '/usr/bin/python3 -m labgrid.remote.client', LG_CROSSBAR: `ws://127.0.0.1:${nobody}/ws` },
      })
      expect(run.code).toBe(3)
      expect(run.stderr).toContain('`/usr/bin/python3 -m labgrid.remote.client -p esp32-at-1 acquire` failed (exit code 1): Could not connect to coordinator')
    })

    it('is installed here (scripts/setup.sh installs python3-labgrid)', () => {
      expect(labgridPython).toBe(true)
    })
  })
})
