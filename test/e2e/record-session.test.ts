import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { BIN, ROOT, runCli } from '../helpers/cli.ts'
import { freePort, isListening } from '../helpers/net.ts'
import { pythonWithWebsockets } from '../helpers/python.ts'

/**
 * `record-session` in a real terminal: a tmux session on its own socket runs the CLI against the
 * simulator; the test types into it with send-keys and reads the screen with capture-pane.
 */
const SOCKET = `at-scenario-test-${process.pid}`
const SESSION = 'record'
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' })
const pane = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', SESSION)

async function paneShows(text: string | RegExp, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const screen = pane()
    if (typeof text === 'string' ? screen.includes(text) : text.test(screen)) return screen
    if (Date.now() > until) throw new Error(`the terminal never showed ${String(text)}; it shows:\n${screen}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

let dir: string
let server: ChildProcess | undefined
let port: number
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'at-scenario-record-session-'))
  port = await freePort()
  server = spawn(pythonWithWebsockets(), [join(ROOT, 'scenarios/servers/ws-server.py'), '--host', '127.0.0.1', '--port', String(port)], { stdio: 'ignore' })
  for (let i = 0; i < 100 && !(await isListening(port)); i++) await new Promise((r) => setTimeout(r, 100))
})
afterAll(() => {
  server?.kill()
  try {
    tmux('kill-server')
  } catch {
    // already gone
  }
  rmSync(dir, { recursive: true, force: true })
})

describe('at-scenario record-session', () => {
  it('a terminal session on the simulator (history, the payload typed raw, Ctrl-C) is written as a scenario that passes', async () => {
    expect(() => execFileSync('tmux', ['-V'])).not.toThrow() // scripts/setup.sh installs tmux
    const scenario = join(dir, 'session.yaml')
    const done = join(dir, 'exit-code')
    const command = `${process.execPath} -- ${BIN} record-session -o ${scenario}; echo $? > ${done}; sleep 60`
    tmux('new-session', '-d', '-s', SESSION, '-x', '200', '-y', '60', '-c', dir, `env -i PATH="${process.env.PATH}" HOME="${process.env.HOME}" sh -c '${command}'`)
    await paneShows('AT» ')
    const type = async (keys: string[], shows: string | RegExp) => {
      tmux('send-keys', '-t', SESSION, ...keys)
      return paneShows(shows)
    }
    await type(['AT+CWMODE=1', 'Enter'], /AT\+CWMODE=1\n(?:.*\n)*OK\n/)
    let screen = await type(['AT+CWJAP="espressif","1234567890"', 'Enter'], 'WIFI GOT IP')
    // The device's echo of the password is masked on the screen.
    expect(screen).toContain('AT+CWJAP="espressif","***"')
    await type(['AT+CIPSTA?', 'Enter'], '+CIPSTA:netmask:')
    // History: Up twice is AT+CWJAP again.
    screen = await type(['Up', 'Up', 'Enter'], /WIFI GOT IP[\s\S]*WIFI DISCONNECT[\s\S]*WIFI GOT IP/)
    await type([`AT+WSOPEN=0,"ws://127.0.0.1:${port}"`, 'Enter'], '+WS_CONNECTED:0')
    await type(['AT+WSSEND=0,4', 'Enter'], '(type 4 bytes, sent as typed)')
    // The payload goes as typed, no Enter: the device reads 4 bytes.
    screen = await type(['-l', 'test'], '+WS_DATA:0,4,test')
    expect(screen).toContain('SEND OK')
    await type(['AT+WSCLOSE=0', 'Enter'], /AT\+WSCLOSE=0\n(?:.*\n)*OK\n/)
    screen = await type(['C-c'], 'Written: ')
    await paneShows('Run it with:')
    for (let i = 0; i < 50 && !existsSync(done); i++) await new Promise((r) => setTimeout(r, 100))
    expect(readFileSync(done, 'utf8').trim()).toBe('0')
    screen = pane()
    expect(screen).toContain(`Written: ${scenario} (12 steps), ${join(dir, 'session.atrec')}`)
    expect(screen).toContain('Note: the Wi-Fi password is not written to the file: give it as WIFI_PASSWORD (environment or .env)')

    const text = readFileSync(scenario, 'utf8')
    const recording = readFileSync(join(dir, 'session.atrec'), 'utf8')
    expect(text + recording).not.toContain('1234567890')
    expect(recording).toContain('\\{password}')
    const written = parse(text) as { vars: Record<string, unknown>; steps: Record<string, unknown>[] }
    expect(written.vars).toEqual({ ssid: '${env.WIFI_SSID:-espressif}', password: '${env.WIFI_PASSWORD}', port })
    expect(written.steps.map((s) => s.send ?? s.payload ?? s.wait)).toEqual([
      'AT+CWMODE=1',
      'AT+CWJAP="${ssid}","${password}"',
      ['WIFI CONNECTED', 'WIFI GOT IP'],
      'AT+CIPSTA?',
      'AT+CWJAP="${ssid}","${password}"',
      ['WIFI DISCONNECT', 'WIFI CONNECTED', 'WIFI GOT IP'],
      'AT+WSOPEN=0,"ws://${host.ip}:${port}"',
      '+WS_CONNECTED:0',
      'AT+WSSEND=0,4',
      'test',
      '+WS_DATA:0,4,test',
      'AT+WSCLOSE=0',
    ])
    expect(written.steps[8]).toMatchObject({ expect: ['OK', '>'] })

    // The scenario runs: on the simulator, with the password from the environment.
    const run = await runCli([scenario, '--output-dir', join(dir, 'reports')], { env: { WIFI_PASSWORD: '1234567890' }, cwd: dir })
    expect(run.stderr).toBe('')
    expect(run.code, run.stdout).toBe(0)
    expect(run.stdout).toContain('12 passed')
  }, 60_000)

  it('needs -o, and takes no files', async () => {
    expect((await runCli(['record-session'])).stderr).toContain('record-session needs -o <new.yaml>')
    expect((await runCli(['record-session', 'x.yaml', '-o', 'y.yaml'])).stderr).toContain('record-session takes no files')
    writeFileSync(join(dir, 'bad-profile.yaml'), 'faults: [1]\n')
    const bad = await runCli(['record-session', '-o', join(dir, 'z.yaml'), '--profile', join(dir, 'bad-profile.yaml')])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('no session was started')
  })
})
