import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli, ROOT } from '../helpers/cli.ts'
import type { CliRun } from '../helpers/cli.ts'
import { freePort, isListening, processesMatching } from '../helpers/net.ts'
import { pythonWithWebsockets } from '../helpers/python.ts'
import { checkResultJson, junitFiles, parseTranscript } from '../report/checks.ts'

/**
 * The fault table of issue 6, end to end through the CLI. After every row: no child process of
 * the run is alive, and the transcript and the requested reports exist and parse.
 */
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))
const junit = junitFiles()

function outputDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-faults-'))
  dirs.push(dir)
  return dir
}

/** Every file the run left: transcripts that parse, well-formed and complete JUnit, JSON that fits its schema. */
function expectWellFormedOutputs(dir: string): string {
  const files = readdirSync(dir)
  const transcripts = files.filter((f) => f.endsWith('.transcript.txt'))
  expect(transcripts.length).toBeGreaterThan(0)
  let all = ''
  for (const t of transcripts) {
    const text = readFileSync(join(dir, t), 'utf8')
    expect(parseTranscript(text).records.length).toBeGreaterThan(0)
    all += text
  }
  const xml = junit.check(join(dir, 'junit.xml'))
  const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as unknown
  expect(checkResultJson(json).valid).toBe(true)
  return all + xml + readFileSync(join(dir, 'results.json'), 'utf8')
}

const reports = (dir: string) => ['--reporter', 'junit,json', '--output-dir', dir]

/** A TCP "device" that accepts the connection and never says a word. */
async function silentDevice(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((s) => sockets.add(s))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const address = server.address()
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => new Promise((r) => {
      sockets.forEach((s) => s.destroy())
      server.close(() => r())
    }),
  }
}

describe('the fault table', () => {
  it('device silent: the step errors at its timeout, naming the step, the expectation and what came', async () => {
    const device = await silentDevice()
    const out = outputDir()
    try {
      const run = await runCli(['test/fixtures/faults/silent.yaml', '--port', `tcp://127.0.0.1:${device.port}`, ...reports(out)])
      expect(run.code).toBe(1)
      expect(run.stderr).toContain('step "Is anyone there" errored: timed out after 300 ms waiting for `OK`')
      expect(run.stderr).toContain('✖ OK')
      expect(run.stderr).toMatch(/→ AT\n/)
      expect(run.stderr).toContain('teardown step "Ask once more" errored')
      expectWellFormedOutputs(out)
    } finally {
      await device.close()
    }
  })

  it('garbage at boot and writes split into tiny pieces: the doc scenario still passes', async () => {
    const port = await freePort()
    const out = outputDir()
    const run = await runCli(['scenarios/tcp-echo.yaml', '--profile', 'test/fixtures/profiles/flaky-uart.yaml', '--var', `port=${port}`, ...reports(out)])
    expect(run.code, run.stderr).toBe(0)
    expectWellFormedOutputs(out)
    expect(processesMatching(`--port ${port}`)).toEqual([])
  })

  it('device reboots mid-step: the step errors as "device rebooted", teardown runs', async () => {
    const out = outputDir()
    const run = await runCli(['test/fixtures/faults/reboot.yaml', ...reports(out)])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('step "Join the router" errored: the device rebooted in the middle of the step')
    expect(run.stderr).toMatch(/← ready {2}\(unsolicited\)/)
    expect(run.stdout).toMatch(/✔ teardown: Leave the router/)
    expectWellFormedOutputs(out)
  })

  it('WebSocket server killed mid-run: the waiting step fails on +WS_DISCONNECTED, naming the link', async () => {
    const port = await freePort()
    const server: ChildProcess = spawn(pythonWithWebsockets(), ['scenarios/servers/ws-server.py', '--host', '127.0.0.1', '--port', String(port)], {
      cwd: ROOT,
      stdio: 'ignore',
    })
    try {
      while (!(await isListening(port))) await new Promise((r) => setTimeout(r, 25))
      const out = outputDir()
      let killed = false
      const run = await runCli(['test/fixtures/faults/ws-server-dies.yaml', '--var', `port=${port}`, ...reports(out)], {
        onStdout: (text) => {
          if (!killed && /✔ AT\+WSOPEN/.test(text)) {
            killed = true
            server.kill('SIGKILL')
          }
        },
      })
      expect(killed).toBe(true)
      expect(run.code).toBe(1)
      expect(run.stderr).toContain('step "Wait for a message on link 0" errored: WebSocket link 0 was lost (`+WS_DISCONNECTED:0`)')
      expectWellFormedOutputs(out)
    } finally {
      server.kill('SIGKILL')
    }
  })

  it('prerequisite never ready: exit 3, said so, and the process is gone', async () => {
    const out = outputDir()
    const run = await runCli(['test/fixtures/faults/never-ready.yaml', ...reports(out)])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('prerequisite "A server that never listens" did not start: not ready after 400 ms')
    expect(processesMatching('sleep 30.4417')).toEqual([])
    expectWellFormedOutputs(out)
  })

  it('a second Ctrl-C during teardown stops at once; still no process left behind (exit 130)', async () => {
    const port = await freePort()
    const out = outputDir()
    let signals = 0
    const run = await runCli(['test/fixtures/faults/slow-teardown.yaml', '--var', `port=${port}`, ...reports(out)], {
      onStdout: (text, child) => {
        if (signals === 0 && /❯ Wait in the steps/.test(text)) {
          signals++
          child.kill('SIGINT')
        } else if (signals === 1 && /❯ teardown: Wait in the teardown/.test(text)) {
          signals++
          child.kill('SIGINT')
        }
      },
    })
    expect(signals).toBe(2)
    expect(run.code).toBe(130)
    expect(run.stderr).toContain('teardown step "Wait in the teardown" errored: interrupted again during teardown')
    expect(await isListening(port)).toBe(false)
    expect(processesMatching(`--port ${port}`)).toEqual([])
    expectWellFormedOutputs(out)
  })
})

describe('nothing outlives the run', () => {
  it('a WebSocket open still under way when the run ends does not keep the runner alive', async () => {
    const mute = await silentDevice() // accepts TCP, never answers the HTTP upgrade
    try {
      // AT+WSOPEN's own timeout is 60 s, twice this test's: the CLI exiting at all proves the attempt was given up.
      const run = await runCli(['test/fixtures/faults/open-never-completes.yaml', '--var', `port=${mute.port}`])
      expect(run.code).toBe(1)
      expect(run.stderr).toContain('timed out after 500 ms waiting for `+WS_CONNECTED:0`')
    } finally {
      await mute.close()
    }
  })
})

describe('secrets', () => {
  const secret = 's3cr3t-Pa55-4-e2e'
  const everything = (run: CliRun, dir: string) => run.stdout + run.stderr + expectWellFormedOutputs(dir)

  it('never appear in stdout, stderr, transcript, JUnit or JSON: a run that passes, one that fails, one interrupted', async () => {
    const env = { SECRET_PW: secret }
    const passOut = outputDir()
    const pass = await runCli(['test/fixtures/faults/secret.yaml', ...reports(passOut)], { env })
    expect(pass.code, pass.stderr).toBe(0)

    const failOut = outputDir()
    const fail = await runCli(['test/fixtures/faults/secret.yaml', ...reports(failOut)], { env: { ...env, EXPECTED_REPLY: 'ERROR' } })
    expect(fail.code).toBe(1)

    const stopOut = outputDir()
    let interrupted = false
    const stop = await runCli(['test/fixtures/faults/secret-interrupted.yaml', ...reports(stopOut)], {
      env,
      onStdout: (text, child) => {
        if (!interrupted && /❯ Wait to be interrupted/.test(text)) {
          interrupted = true
          child.kill('SIGINT')
        }
      },
    })
    expect(stop.code).toBe(130)

    for (const [run, dir] of [[pass, passOut], [fail, failOut], [stop, stopOut]] as const) {
      const text = everything(run, dir)
      // The command went to the device with the password in it; every output shows it masked.
      expect(text).toContain('AT+CWJAP=\\"espressif\\",\\"***\\"')
      expect(text).not.toContain(secret)
    }
    expect(existsSync(join(stopOut, 'results.json'))).toBe(true)
  })
})

junit.declareXsdTest()
