import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseRecording } from '../../src/replay/atrec-reader.ts'
import type { Recording } from '../../src/replay/atrec-reader.ts'
import { ROOT, runCli } from '../helpers/cli.ts'
import { freePort } from '../helpers/net.ts'
import { startSim } from '../helpers/sim.ts'

/** Everything one way, as the stream the other side saw (secrets as their names). */
function stream(r: Recording, dir: 'tx' | 'rx'): string {
  return r.data
    .filter((d) => d.dir === dir)
    .flatMap((d) => d.segments.map((s) => ('bytes' in s ? s.bytes.toString('latin1') : `{${s.secret}}`)))
    .join('')
}

interface JsonStep {
  name: string
  status: string
  durationMs: number
  failure?: { reason: string; message: string }
}
function results(dir: string): { steps: JsonStep[]; teardown: JsonStep[]; prerequisites: { status: string; message?: string }[] } {
  return (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { scenarios: ReturnType<typeof results>[] }).scenarios[0]!
}

// No simulator runs in a replay and no Python either: a PYTHON that does not exist proves the second.
const NO_PYTHON = { PYTHON: '/nonexistent/python3' }

describe('scenarios/tcp-echo.yaml recorded on the simulator, replayed from the recording', () => {
  let dir: string
  let port: number
  let file: string
  let recorded: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'at-scenario-replay-'))
    port = await freePort()
    file = join(dir, 'tcp-echo.atrec')
    const run = await runCli(['scenarios/tcp-echo.yaml', '--var', `port=${port}`, '--record', file, '--output-dir', join(dir, 'recording')])
    if (run.code !== 0) throw new Error(`the recording run failed:\n${run.stdout}\n${run.stderr}`)
    expect(run.stdout).toContain(`Recorded: ${file}`)
    recorded = readFileSync(file, 'utf8')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('the recording holds every byte both ways with the steps, the scenario, the port and the variables, and no password', () => {
    const r = parseRecording(recorded)
    expect(recorded.split('\n')[0]).toBe('atrec 1')
    expect(r.header).toMatchObject({ scenario: 'WebSocket over TCP, echo', file: 'scenarios/tcp-echo.yaml', target: 'the built-in ESP-AT simulator', port: 'simulator', simulatorVars: true, secrets: ['password'] })
    expect(r.vars.get('port')).toBe(String(port))
    expect(r.vars.get('host.ip')).toBe('127.0.0.1')
    expect(r.vars.has('password')).toBe(false)
    expect(stream(r, 'tx')).toBe(`AT+CWMODE=1\r\nAT+CWJAP="espressif","{password}"\r\nAT+WSOPEN=0,"ws://127.0.0.1:${port}"\r\nAT+WSSEND=0,4\r\ntestAT+WSCLOSE=0\r\n`)
    expect(stream(r, 'rx')).toContain('AT+CWJAP="espressif","{password}"\r\nWIFI CONNECTED\r\n')
    expect(stream(r, 'rx')).toContain('+WS_DATA:0,4,test\r\n')
    expect(r.data.find((d) => d.dir === 'tx' && stream({ ...r, data: [d] }, 'tx').startsWith('AT+WSOPEN'))?.place).toBe('step 3 "Connect to the WebSocket server"')
    expect(recorded).not.toContain('1234567890')
  })

  it('replays with the simulator and the Python server absent: passes, with the same bytes both ways', async () => {
    const out = join(dir, 'replay')
    const again = join(dir, 'again.atrec')
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', `replay:${file}`, '--var', `port=${port}`, '--record', again, '--reporter', 'json', '--output-dir', out], { env: NO_PYTHON })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('scenarios/tcp-echo.yaml: running on a replay of tcp-echo.atrec')
    expect(run.stdout).toContain('↓ Start Python WebSocket echo server (skipped)')
    expect(run.stdout).toMatch(/PASSED scenarios\/tcp-echo\.yaml: 7 passed/)
    const result = results(out)
    expect(result.prerequisites).toEqual([expect.objectContaining({ status: 'skipped', message: 'skipped: the device is a replay of a recording' })])
    // The replayed run, recorded in turn, wrote what the first run wrote and heard what it heard.
    const original = parseRecording(recorded)
    const replayed = parseRecording(readFileSync(again, 'utf8'))
    expect(stream(replayed, 'tx')).toBe(stream(original, 'tx'))
    expect(stream(replayed, 'rx')).toBe(stream(original, 'rx'))
    expect(replayed.header.target).toBe('a replay of tcp-echo.atrec (recorded on the built-in ESP-AT simulator)')
    // With the recorded timing: the simulated router takes 150 ms to let the station join.
    expect(result.steps.find((s) => s.name === 'Connect to the router')!.durationMs).toBeGreaterThanOrEqual(140)
  })

  it('--replay-speed 0 plays it as fast as possible', async () => {
    const out = join(dir, 'fast')
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', `replay:${file}`, '--replay-speed', '0', '--var', `port=${port}`, '--reporter', 'json', '--output-dir', out], { env: NO_PYTHON })
    expect(run.code).toBe(0)
    expect(results(out).steps.find((s) => s.name === 'Connect to the router')!.durationMs).toBeLessThan(100)
  })

  it('any password replays: the recording holds a placeholder, and the new one is masked too', async () => {
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', `replay:${file}`, '--replay-speed', '0', '--var', `port=${port}`, '--output-dir', join(dir, 'other-password')], {
      env: { ...NO_PYTHON, WIFI_PASSWORD: 'another-secret' },
    })
    expect(run.code).toBe(0)
    expect(run.stdout + run.stderr).not.toContain('another-secret')
    expect(readFileSync(join(dir, 'other-password', 'tcp-echo.transcript.txt'), 'utf8')).not.toContain('another-secret')
  })

  it('a scenario edited to send another command fails at once, with where and how the host deviated', async () => {
    // The replay starts no prerequisite, so the copy needs no server script beside it.
    const edited = join(dir, 'edited.yaml')
    writeFileSync(edited, readFileSync(join(ROOT, 'scenarios/tcp-echo.yaml'), 'utf8').replace('send: AT+CWMODE=1', 'send: AT+CWMODE=3'))
    const out = join(dir, 'edited')
    const run = await runCli([edited, '--port', `replay:${file}`, '--var', `port=${port}`, '--reporter', 'json', '--output-dir', out], { env: NO_PYTHON })
    expect(run.code).toBe(1)
    const line = recorded.split('\n').findIndex((l) => l.includes('->  "AT+CWMODE=1\\r\\n"')) + 1
    const deviation = `replay of tcp-echo.atrec: the host deviated from the recording at offset 10 of its bytes (tcp-echo.atrec:${line}, step 1 "Set Wi-Fi mode to station"): after "AT+CWMODE=" the recording has "1\\r\\n", the host wrote "3\\r\\n"`
    expect(run.stderr).toContain(`error[link-closed]: step "Set Wi-Fi mode to station" errored: the link to the device closed (${deviation})`)
    const step = results(out).steps[0]!
    expect(step.failure).toMatchObject({ reason: 'link-closed', message: `the link to the device closed (${deviation})` })
    // At once, not at the step's timeout (5 s).
    expect(step.durationMs).toBeLessThan(1000)
  })

  it('a variable given differently on replay: the deviation names it and the --var that replays the recording', async () => {
    const other = port === 8765 ? 8766 : 8765
    const run = await runCli(['scenarios/tcp-echo.yaml', '--port', `replay:${file}`, '--replay-speed', '0', '--var', `port=${other}`, '--output-dir', join(dir, 'other-port')], { env: NO_PYTHON })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`step "Connect to the WebSocket server" errored`)
    expect(run.stderr).toContain(`"; variable \`port\` is "${other}" in this run but "${port}" in the recording (replay with --var port=${port})`)
  })
})

describe('recording on a remote port', () => {
  it('records over tcp:// as over any link (the engine\'s events), with the port as given, and replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'at-scenario-replay-tcp-'))
    const sim = await startSim(['--listen', `tcp://127.0.0.1:${await freePort()}`])
    try {
      const port = await freePort()
      const file = join(dir, 'tcp.atrec')
      // The device is not the built-in simulator here: host.ip is given, as for a board.
      const vars = ['--var', `port=${port}`, '--var', 'host.ip=127.0.0.1']
      const run = await runCli(['scenarios/tcp-echo.yaml', '--port', sim.address, ...vars, '--record', file, '--output-dir', join(dir, 'recording')])
      expect(run.code).toBe(0)
      const r = parseRecording(readFileSync(file, 'utf8'))
      expect(r.header).toMatchObject({ port: sim.address, target: sim.address, simulatorVars: false })
      expect(stream(r, 'tx')).toContain(`AT+WSOPEN=0,"ws://127.0.0.1:${port}"\r\n`)
      // host.ip comes from the recording; the port as it was recorded.
      const replay = await runCli(['scenarios/tcp-echo.yaml', '--port', `replay:${file}`, '--replay-speed', '0', '--var', `port=${port}`, '--output-dir', join(dir, 'replay')], { env: NO_PYTHON })
      expect(replay.stderr).toBe('')
      expect(replay.code).toBe(0)
      expect(replay.stdout).toContain(`running on a replay of tcp.atrec`)
    } finally {
      await sim.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
