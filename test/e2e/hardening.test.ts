import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BIN, ROOT, runCli } from '../helpers/cli.ts'
import { freePort, isListening, processesMatching } from '../helpers/net.ts'
import { pythonWithWebsockets } from '../helpers/python.ts'
import { startSim } from '../helpers/sim.ts'
import { checkResultJson, parseTranscript } from '../report/checks.ts'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-hardening-'))
  dirs.push(dir)
  return dir
}

function resultJson(dir: string): { status: string; complete: boolean } {
  const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { status: string; complete: boolean }
  const check = checkResultJson(json)
  expect(check.valid, check.errors).toBe(true)
  return json
}

function markers(dir: string, transcript: string): string[] {
  return parseTranscript(readFileSync(join(dir, transcript), 'utf8'))
    .records.filter((r) => r.kind === '==')
    .map((r) => r.lines[0]!)
}

/** The CLI with its stdout and stderr going where the test says (a pipe closed early, /dev/full), as a shell would set them up. */
function runWithOutputs(args: string[], stdout: number | 'closing-pipe', stderr: number | 'pipe'): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--', BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PYTHON: pythonWithWebsockets() },
      stdio: ['ignore', stdout === 'closing-pipe' ? 'pipe' : stdout, stderr],
    })
    // `| head -1`: the reader takes the first line and goes away.
    child.stdout?.once('data', () => child.stdout!.destroy())
    let err = ''
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr: err }))
  })
}

describe('signals', () => {
  it('SIGHUP to a run (terminal closed, ssh dropped) is a Ctrl-C: teardown, prerequisites stopped, reports written, exit 129', async () => {
    const port = await freePort()
    const dir = tempDir()
    let sent = false
    const run = await runCli(['test/fixtures/interrupt.yaml', '--var', `port=${port}`, '--reporter', 'junit,json', '--output-dir', dir], {
      onStdout: (out, child) => {
        if (!sent && out.includes('❯ Wait for a message that never comes')) {
          sent = true
          child.kill('SIGHUP')
        }
      },
    })
    expect(sent).toBe(true)
    expect(run.code).toBe(129)
    expect(run.stderr).toContain('Interrupted (SIGHUP): running teardown and stopping prerequisites')
    expect(run.stdout).toMatch(/✔ teardown: Teardown after the interruption/)
    expect(markers(dir, 'interrupt.transcript.txt')).toContain('prerequisite "Python WebSocket echo server" stopped (ended by SIGTERM)')
    expect(await isListening(port)).toBe(false)
    expect(processesMatching(`--port ${port}`)).toEqual([])
    const json = resultJson(dir)
    expect([json.status, json.complete]).toEqual(['interrupted', true])
    expect(existsSync(join(dir, 'junit.xml'))).toBe(true)
  })

  it('SIGHUP to `sim --pty` stops it cleanly: its socat ended, its folder removed, exit 129', async () => {
    const sim = await startSim(['--pty'])
    // This sim's own socat (its child): other runs on the machine may have sims of their own.
    const parentOf = (pid: number) => Number(/^\d+ \(.*\) \S (\d+)/s.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1])
    const socats = processesMatching('at-scenario-sim-').filter((pid) => pid !== sim.child.pid && parentOf(pid) === sim.child.pid)
    expect(socats).toHaveLength(1)
    const link = readFileSync(`/proc/${socats[0]}/cmdline`, 'utf8').split('\0').find((a) => a.includes('link='))!
    const folder = /link=(.*)\/device$/.exec(link.split(',').find((p) => p.startsWith('link='))!)![1]!
    const exited = new Promise<number | null>((resolve) => sim.child.once('exit', (code) => resolve(code)))
    sim.child.kill('SIGHUP')
    expect(await exited).toBe(129)
    // By its folder, which only this sim's socat names: an orphan would have another parent by now.
    expect(processesMatching(folder)).toEqual([])
    expect(existsSync(folder)).toBe(false)
  })
})

describe('a closed stdout or stderr', () => {
  it('stdout piped into `head -1`: the run goes on, tears down, writes its reports and exits with its own code', async () => {
    const port = await freePort()
    const dir = tempDir()
    const run = await runWithOutputs(['scenarios/tcp-echo.yaml', '--var', `port=${port}`, '--reporter', 'junit,json', '--output-dir', dir], 'closing-pipe', 'pipe')
    expect(run.stderr).toContain('at-scenario: stdout can no longer be written (EPIPE); progress output stops, the run goes on and writes its reports')
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/)
    expect(run.code).toBe(0)
    expect(markers(dir, 'tcp-echo.transcript.txt').filter((m) => /^teardown step 1 passed/.test(m))).toHaveLength(1)
    expect(resultJson(dir)).toMatchObject({ status: 'passed', complete: true })
    expect(await isListening(port)).toBe(false)
    expect(processesMatching(`--port ${port}`)).toEqual([])
  })

  it('stdout at /dev/full (ENOSPC), and stderr too on a failing run: reports written, exit code of the run', async () => {
    const full = openSync('/dev/full', 'w')
    try {
      const passing = tempDir()
      const port = await freePort()
      const ok = await runWithOutputs(['scenarios/tcp-echo.yaml', '--var', `port=${port}`, '--reporter', 'json', '--output-dir', passing], full, 'pipe')
      expect(ok.stderr).toContain('stdout can no longer be written (ENOSPC)')
      expect(ok.code).toBe(0)
      expect(resultJson(passing).status).toBe('passed')

      const failing = tempDir()
      const bad = await runWithOutputs(['test/fixtures/wsopen-error.yaml', '--reporter', 'json', '--output-dir', failing], full, full)
      expect(bad.code).toBe(1)
      expect(resultJson(failing).status).toBe('failed')
    } finally {
      closeSync(full)
    }
  })
})

describe('input that used to slip through', () => {
  it('--env-file is the tool\'s own option, run through the bin as a user does: a missing file is exit 2 with its message', async () => {
    const dir = tempDir()
    // Were node to read the file itself, this NODE_OPTIONS would stop it before the tool ran.
    writeFileSync(join(dir, 'lab.env'), 'AT_SCENARIO_TEST_SSID=from-the-file\nNODE_OPTIONS=--require=/nonexistent/at-scenario-preload.js\n')
    writeFileSync(join(dir, 'needs-env.yaml'), 'name: n\nsteps:\n  - send: AT+CWJAP="${env.AT_SCENARIO_TEST_SSID}","x"\n')
    const bin = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        // The bin itself, through its shebang, as npx and a shell start it.
        const child = spawn(BIN, args, { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME } })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
        child.on('close', (code) => resolve({ code, stdout, stderr }))
      })
    for (const args of [['validate', 'needs-env.yaml', '--env-file', '/nope'], ['needs-env.yaml', '--env-file=/nope']]) {
      const missing = await bin(args)
      expect(missing.stderr).toBe('at-scenario: cannot read the env file /nope: no such file\n')
      expect(missing.code).toBe(2)
    }
    const read = await bin(['validate', 'needs-env.yaml', '--env-file', 'lab.env'])
    expect(read.stderr).toBe('')
    expect(read.stdout).toBe('✔ needs-env.yaml\n')
    expect(read.code).toBe(0)
  })

  it('timeouts longer than a timer can wait are rejected where they are written (exit 2), in both forms', async () => {
    const dir = tempDir()
    const file = join(dir, 'long.yaml')
    writeFileSync(file, 'name: n\ndefaults: { timeout: 40000m }\nsteps:\n  - send: AT\n    timeout: 2147483648\n  - sleep: 2147483647\n')
    const run = await runCli(['validate', file])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('error[bad-duration]: `40000m` is 2400000000 ms, longer than a timer can wait (2147483647 ms, about 24.8 days)')
    expect(run.stderr).toContain(`--> ${file}:2:22`)
    expect(run.stderr).toContain('error[bad-duration]: `2147483648` is 2147483648 ms, longer than a timer can wait')
    expect(run.stderr).toContain(`--> ${file}:5:14`)
    expect(run.stderr).toContain('2 errors; nothing was run.')
    expect(run.stderr).not.toContain('TimeoutOverflowWarning')
  })

  it('a simulator profile that is no profile (/etc/passwd) is said to be none, and not a line of it is shown', async () => {
    const dir = tempDir()
    const file = join(dir, 'passwd.yaml')
    writeFileSync(file, 'name: n\nsimulator: { profile: /etc/passwd }\nsteps:\n  - send: AT\n')
    const plain = join(dir, 'plain.yaml')
    writeFileSync(plain, 'name: n\nsteps:\n  - send: AT\n')
    const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').filter(Boolean)
    for (const args of [['validate', file], [file], [plain, '--profile', '/etc/passwd'], ['sim', '--pty', '--profile', '/etc/passwd']]) {
      const run = await runCli(args)
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(/the device profile \S*\/etc\/passwd is not a map of device settings: a profile is a YAML map \(schema\/device\.schema\.json\); the file's content is not shown/)
      for (const line of passwd) expect(run.stderr).not.toContain(line)
    }
  })

  it('--transcript-limit takes sizes and says what it needs otherwise', async () => {
    const bad = await runCli(['scenarios/tcp-echo.yaml', '--transcript-limit', 'lots'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('at-scenario: --transcript-limit needs a size such as 64MiB, 512K or a number of bytes (0: no limit), got `lots`')
  })
})
