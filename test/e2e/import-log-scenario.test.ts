import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { runCli } from '../helpers/cli.ts'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'at-scenario-log-scenario-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const LOG = 'test/fixtures/logs/annotated-session.txt'

describe('at-scenario import --scenario', () => {
  it('a log with tool prefixes, bytes literals, receive stamps, notes and elisions becomes a scenario that passes on its own replay', async () => {
    const recording = join(dir, 'session.atrec')
    const scenarioFile = join(dir, 'session.yaml')
    const imported = await runCli(['import', LOG, '-o', recording, '--scenario', scenarioFile])
    expect(imported.code).toBe(0)
    // What the log leaves open is warned of, by its line.
    expect(imported.stderr).toBe(
      [
        'at-scenario: warning: log line 51: `AT+WSSEND=0,4` got the `>` prompt, but no payload follows it',
        'at-scenario: warning: log line 55: `AT+WSCLOSE=0` got no final result (OK, ERROR, SEND OK...): the step only writes it (`expect: []`)',
        '',
      ].join('\n'),
    )
    expect(imported.stdout).toContain('line 18: `<------ the router\'s address` read as a note about the line, not as data, and left out')
    expect(imported.stdout).toContain('line 21: `...` read as output left out of the log: neither the recording nor the scenario has it')
    expect(imported.stdout).toContain(`Written: ${scenarioFile}`)

    const scenario = parse(readFileSync(scenarioFile, 'utf8')) as { vars: Record<string, string>; secrets: string[]; steps: Record<string, unknown>[] }
    expect(scenario.secrets).toEqual(['password'])
    // A pasted log's password is a real one: not in the scenario either, which takes it from the environment.
    expect(scenario.vars).toEqual({ ssid: '${env.WIFI_SSID:-espressif}', password: '${env.WIFI_PASSWORD}' })
    expect(readFileSync(scenarioFile, 'utf8')).not.toContain('1234567890')
    expect(imported.stdout).toContain(`Replay it with: WIFI_PASSWORD=any at-scenario ${scenarioFile} --port replay:${recording}`)
    const steps = scenario.steps
    expect(steps.map((s) => s.send ?? s.payload ?? s.wait)).toEqual([
      'AT+CWMODE=1',
      'AT+CWJAP="${ssid}","${password}"',
      ['WIFI CONNECTED', 'WIFI GOT IP'],
      'AT+CIPSTA?',
      'AT+CIPSNTPCFG=1,8,"cn.ntp.org.cn"',
      'AT+CIPSNTPTIME?',
      // The URC came before the echo: the echo is still the echo, the URC a wait.
      '+TIME_UPDATED',
      'AT+WSOPEN=0,"ws://192.168.200.249:8765"',
      '+WS_CONNECTED:0',
      'AT+WSSEND=0,4',
      'test',
      '+WS_DATA:0,4,test',
      'AT+WSSEND=0,4',
      'AT+WSCLOSE=0',
      'AT+GMR',
    ])
    // The trailing space the device sent is kept; the note and the elision are not device bytes.
    expect(steps[3]!.expect).toEqual(['/^\\+CIPSTA:ip:"\\d{1,3}(?:\\.\\d{1,3}){3}"$/', '/^\\+CIPSTA:gateway:"\\d{1,3}(?:\\.\\d{1,3}){3}"$/', '/^\\+CIPSTA:netmask:"\\d{1,3}(?:\\.\\d{1,3}){3}"$/', 'OK '])
    expect(steps[10]).toMatchObject({ payload: 'test', expect: 'SEND OK' })
    expect(steps[13]).toMatchObject({ expect: [] })

    // The password is in neither the recording nor the output; the recording names it.
    const atrec = readFileSync(recording, 'utf8')
    expect(atrec).not.toContain('1234567890')
    expect(atrec).toContain('\\{password}')
    expect(imported.stdout + imported.stderr).not.toContain('1234567890')
    expect(atrec.split('\n').filter((l) => !l.startsWith('#')).join('\n')).not.toContain('<------')

    // Any password replays: the recording left it out.
    const run = await runCli([scenarioFile, '--port', `replay:${recording}`, '--replay-speed', '0', '--output-dir', join(dir, 'reports')], { env: { WIFI_PASSWORD: 'any' } })
    expect(run.stderr).toBe('')
    expect(run.code, run.stdout).toBe(0)
    expect(run.stdout).toContain('15 passed')
  })

  it('passwords with ESP-AT escapes, and a softAP password, are in neither the recording nor the scenario; the printed replay passes', async () => {
    const log = join(dir, 'escaped.txt')
    writeFileSync(log, '-> AT+CWJAP="net","p\\,ss\\"word9"\n<- WIFI CONNECTED\n<- OK\n-> AT+CWSAP="myap","apS3cret77",5,3\n<- OK\n')
    const recording = join(dir, 'escaped.atrec')
    const scenarioFile = join(dir, 'escaped.yaml')
    const imported = await runCli(['import', log, '-o', recording, '--scenario', scenarioFile])
    expect(imported.code).toBe(0)
    for (const text of [readFileSync(recording, 'utf8'), readFileSync(scenarioFile, 'utf8'), imported.stdout + imported.stderr]) {
      expect(text).not.toContain('word9')
      expect(text).not.toContain('apS3cret77')
    }
    expect(parse(readFileSync(scenarioFile, 'utf8'))).toMatchObject({ vars: { password: '${env.WIFI_PASSWORD}', ap_password: '${env.WIFI_AP_PASSWORD}' } })
    expect(imported.stdout).toContain(`Replay it with: WIFI_PASSWORD=any WIFI_AP_PASSWORD=any at-scenario ${scenarioFile} --port replay:${recording}`)
    const run = await runCli([scenarioFile, '--port', `replay:${recording}`, '--replay-speed', '0', '--output-dir', join(dir, 'escaped-reports')], { env: { WIFI_PASSWORD: 'any', WIFI_AP_PASSWORD: 'any' } })
    expect(run.code, run.stdout + run.stderr).toBe(0)
  })

  it('--scenario needs a file and belongs to import', async () => {
    expect((await runCli(['import', LOG, '--scenario', ''])).stderr).toContain('--scenario needs a file')
    expect((await runCli(['validate', 'x.yaml', '--scenario', 'y.yaml'])).stderr).toContain('--scenario belongs to `at-scenario import`')
  })
})
