import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { runCli } from '../helpers/cli.ts'
import { itWith, seedPage, stockPki } from '../helpers/external-material.ts'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'at-scenario-import-doc-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const FIXTURES = 'test/fixtures/authoring'

/** Imports a page into a fresh folder, then validates and runs every scenario written there on the simulator. */
async function importValidateRun(page: string, out: string, runArgs: string[] = []) {
  const imported = await runCli(['import-doc', page, '-o', out])
  expect(imported.stderr).toBe('')
  expect(imported.code).toBe(0)
  const files = readdirSync(out).filter((f) => f.endsWith('.yaml')).sort()
  const validated = await runCli(['validate', ...files.map((f) => join(out, f))])
  expect(validated.stderr).toBe('')
  expect(validated.code).toBe(0)
  for (const f of files) {
    const run = await runCli([join(out, f), '--output-dir', join(out, 'reports'), ...runArgs])
    expect(run.stderr, f).toBe('')
    expect(run.code, `${f}\n${run.stdout}`).toBe(0)
    expect(run.stdout).toContain('PASSED')
  }
  return { imported, files, yaml: (f: string) => readFileSync(join(out, f), 'utf8') }
}

describe('at-scenario import-doc', () => {
  it('an English reStructuredText page: a scenario per example, its server, the site values as variables, and what it cannot map', async () => {
    const out = join(dir, 'en')
    const { imported, files, yaml } = await importValidateRun(`${FIXTURES}/echo-examples-en.rst`, out)
    expect(files).toEqual(['echo-ws.yaml'])
    expect(imported.stdout).toContain('(reStructuredText, English): 1 scenario')
    expect(imported.stdout).toContain(`  ${FIXTURES}/echo-examples-en.rst:71: a step with no command: Connect the PC to the same router as {IDF_TARGET_NAME}.`)
    expect(imported.stdout).toContain(`  ${FIXTURES}/echo-examples-en.rst:100: target condition \`.. only:: esp32\``)
    const scenario = parse(yaml('echo-ws.yaml')) as { name: string; vars: Record<string, unknown>; secrets: string[]; prerequisites: { run: string[]; ready: unknown }[]; steps: Record<string, unknown>[] }
    expect(scenario.name).toBe('${idf_target_name} echoes through a WebSocket server')
    expect(scenario.vars).toMatchObject({ ssid: '${env.WIFI_SSID:-espressif}', password: '${env.WIFI_PASSWORD:-1234567890}', port: 8770, python: '${env.PYTHON:-python3}' })
    expect(scenario.secrets).toEqual(['password'])
    expect(scenario.prerequisites[0]).toEqual({ name: 'Start an echo server on the PC with the following Python code', run: ['${python}', 'servers/echo-server.py', '--host', '${host.ip}', '--port', '${port}'], ready: { port: '${port}', timeout: '10s' } })
    const byName = (n: string) => scenario.steps.find((s) => s.name === n)
    // The echo the page shows is dropped; the addresses are regexes; every step links to its section.
    expect(byName("Query the station's IP address")).toMatchObject({ send: 'AT+CIPSTA?', expect: ['/^\\+CIPSTA:ip:"\\d{1,3}(?:\\.\\d{1,3}){3}"$/', '/^\\+CIPSTA:gateway:"\\d{1,3}(?:\\.\\d{1,3}){3}"$/', '/^\\+CIPSTA:netmask:"\\d{1,3}(?:\\.\\d{1,3}){3}"$/', 'OK'] })
    expect(byName('Connect to the server')).toMatchObject({ send: 'AT+WSOPEN=1,"ws://${host.ip}:${port}/echo"', expect: 'OK', timeout: '20s' })
    expect(byName('Connect to the server: +WS_CONNECTED:1')).toMatchObject({ wait: '+WS_CONNECTED:1' })
    expect(byName('Send 5 bytes of data')).toMatchObject({ send: 'AT+WSSEND=1,5', expect: ['OK', '>'] })
    expect(byName('Send 5 bytes of data: hello')).toMatchObject({ payload: 'hello', expect: 'SEND OK' })
    expect(byName('Receive 5 bytes of data')).toMatchObject({ wait: '+WS_DATA:1,5,hello' })
    for (const s of scenario.steps) expect(s.doc).toBe(`${relative(out, resolve(FIXTURES, 'echo-examples-en.rst'))}#example-echo-ws`)
    // The page's code, with its site values taken from arguments.
    const server = readFileSync(join(out, 'servers/echo-server.py'), 'utf8')
    expect(server).toContain('host = _page_value("host", "192.168.3.102")')
    expect(server).toContain('async def reply(websocket, path=None):')
  })

  it('a Chinese page: the names in its language, SNTP time as a regex that is polled until the clock is set', async () => {
    const out = join(dir, 'zh')
    const { imported, files, yaml } = await importValidateRun(`${FIXTURES}/echo-examples-zh.rst`, out)
    expect(imported.stdout).toContain('(reStructuredText, Chinese): 2 scenarios')
    expect(files).toEqual(['echo-ws-zh.yaml', 'sntp-time.yaml'])
    const sntp = parse(yaml('sntp-time.yaml')) as { name: string; steps: Record<string, unknown>[] }
    expect(sntp.name).toBe('查询 ${idf_target_name} 的 SNTP 时间')
    expect(sntp.steps.map((s) => s.name)).toEqual(['设置 Wi-Fi 模式为 station', '连接到路由器', '连接到路由器: WIFI CONNECTED, WIFI GOT IP', '设置 SNTP 服务器', '查询 SNTP 时间'])
    expect(sntp.steps[4]).toMatchObject({
      send: 'AT+CIPSNTPTIME?',
      expect: ['/^\\+CIPSNTPTIME:[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d (?!1970)\\d{4}$/', 'OK'],
      poll: { every: '1s' },
      timeout: '30s',
    })
    const echo = parse(yaml('echo-ws-zh.yaml')) as { steps: Record<string, unknown>[] }
    expect(echo.steps.find((s) => s.name === '发送 3 字节数据: abc')).toMatchObject({ payload: 'abc', expect: 'SEND OK' })
    expect(existsSync(join(out, 'servers/echo-server-zh.py'))).toBe(true)
  })

  it('a Markdown rendering of a page imports the same way', async () => {
    const out = join(dir, 'md')
    const { imported, files, yaml } = await importValidateRun(`${FIXTURES}/echo-examples-en.md`, out)
    expect(imported.stdout).toContain('(Markdown, English): 1 scenario')
    expect(files).toEqual(['echo-md.yaml'])
    const scenario = parse(yaml('echo-md.yaml')) as { steps: Record<string, unknown>[] }
    expect(scenario.steps.map((s) => s.send ?? s.payload ?? s.wait)).toEqual(['AT+CWMODE=1', 'AT+CWJAP="${ssid}","${password}"', ['WIFI CONNECTED', 'WIFI GOT IP'], 'AT+WSOPEN=0,"ws://${host.ip}:${port}"', '+WS_CONNECTED:0', 'AT+WSSEND=0,4', 'ping', '+WS_DATA:0,4,ping'])
  })

  it('a payload whose length differs from the command\'s is listed, with its line', async () => {
    const page = join(dir, 'bad-length.rst')
    writeFileSync(page, readFileSync(`${FIXTURES}/echo-examples-en.rst`, 'utf8').replace('``hello``', '``hello!``'))
    const imported = await runCli(['import-doc', page, '-o', join(dir, 'bad-length')])
    expect(imported.code).toBe(0)
    expect(imported.stdout).toMatch(/bad-length\.rst:134: the prose says 5 bytes, but `hello!` is 6/)
    expect(imported.stdout).toMatch(/bad-length\.rst:134: the command announces 5 bytes, but the payload `hello!` is 6/)
  })

  it('a re-import of a changed page shows the steps added, removed and changed, writes nothing and exits 1; --force writes', async () => {
    const out = join(dir, 'reimport')
    const page = join(dir, 'echo-examples-en.rst')
    cpSync(`${FIXTURES}/echo-examples-en.rst`, page)
    expect((await runCli(['import-doc', page, '-o', out])).code).toBe(0)
    const before = readFileSync(join(out, 'echo-ws.yaml'), 'utf8')
    // The same page again: nothing to do.
    const again = await runCli(['import-doc', page, '-o', out])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('Nothing to write: the scenarios are already the same as the page.')

    const newer = readFileSync(page, 'utf8')
      .replace('AT+WSSEND=1,5', 'AT+WSSEND=1,5,1')
      .replace(/#\. Close the connection\.[\s\S]*$/, '#. Query the Wi-Fi state.\n\n   Command:\n\n   .. code-block:: none\n\n     AT+CWSTATE?\n\n   Response:\n\n   .. code-block:: none\n\n     +CWSTATE:2,"espressif"\n\n     OK\n')
    writeFileSync(page, newer)
    const diff = await runCli(['import-doc', page, '-o', out])
    expect(diff.stderr).toBe('')
    expect(diff.code).toBe(1)
    expect(diff.stdout).toContain(`reimport/echo-ws.yaml differs from ${page} (section "{IDF_TARGET_NAME} echoes through a WebSocket server", line 14):`)
    expect(diff.stdout).toContain('  - step 10 "Close the connection"')
    expect(diff.stdout).toMatch(/ {2}\+ step 10 "Query the Wi-Fi state" \(page line 148\)/)
    expect(diff.stdout).toMatch(/ {2}~ step 7 "Send 5 bytes of data" \(page line 118\): send: "AT\+WSSEND=1,5" → "AT\+WSSEND=1,5,1"/)
    expect(diff.stdout).toContain('Nothing written: the files above differ from the page. Write them with --force.')
    expect(readFileSync(join(out, 'echo-ws.yaml'), 'utf8')).toBe(before)

    const forced = await runCli(['import-doc', page, '-o', out, '--force'])
    expect(forced.code).toBe(0)
    expect(readFileSync(join(out, 'echo-ws.yaml'), 'utf8')).toContain('AT+CWSTATE?')
  })

  it('bad input: no page, or a page with no example', async () => {
    const missing = await runCli(['import-doc', join(dir, 'nope.rst')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^at-scenario: cannot read .*nope\.rst: /)
    const empty = join(dir, 'empty.rst')
    writeFileSync(empty, 'Title\n=====\n\nJust prose.\n')
    const none = await runCli(['import-doc', empty])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('no example in it')
    const usage = await runCli(['import-doc'])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain('import-doc takes one page (.rst or .md)')
  })

  itWith(['seeds', 'stock-pki'], 'the seed page (the Chinese WebSocket examples): two scenarios that pass on the simulator with no hand edits', async () => {
    const out = join(dir, 'seed')
    const page = join(dir, 'websocket_at_examples.rst')
    cpSync(seedPage(), page)
    // The doc's certificates fit the stock firmware's PKI: the simulator is given that PKI, the scenario is not touched.
    const profile = join(dir, 'stock-pki.yaml')
    writeFileSync(profile, `pki:\n  clientCerts: [${stockPki('wss_client_00.crt')}]\n  clientKeys: [${stockPki('wss_client_00.key')}]\n  caCerts: [${stockPki('wss_ca_00.crt')}]\n`)
    const imported = await runCli(['import-doc', page, '-o', out])
    expect(imported.code).toBe(0)
    expect(imported.stdout).toContain('websocket-tcp.yaml: 8 steps, 1 prerequisite (servers/ws-server.py), secrets: password')
    expect(imported.stdout).toContain('websocket-tls.yaml: 11 steps, 1 prerequisite (servers/wss-server.py), secrets: password')
    // Without the stock PKI the TLS scenario would fail on the simulator: the import says what it needs.
    expect(imported.stdout).toContain('websocket-tls.yaml: its certificates come from the page')
    expect(imported.stdout).not.toContain('websocket-tcp.yaml: its certificates')
    for (const f of ['certs/server_ca.crt', 'certs/server.crt', 'certs/server.key']) expect(readFileSync(join(out, f), 'utf8')).toMatch(/^-----BEGIN [A-Z ]+-----\n/)
    const validated = await runCli(['validate', join(out, 'websocket-tcp.yaml'), join(out, 'websocket-tls.yaml')])
    expect(validated.code).toBe(0)
    for (const f of ['websocket-tcp.yaml', 'websocket-tls.yaml']) {
      const run = await runCli([join(out, f), '--profile', profile, '--output-dir', join(out, 'reports')])
      expect(run.code, run.stdout + run.stderr).toBe(0)
      expect(run.stdout).toContain('接收 4 字节数据')
    }
    const tls = parse(readFileSync(join(out, 'websocket-tls.yaml'), 'utf8')) as { prerequisites: { run: string[] }[] }
    expect(tls.prerequisites[0]!.run).toEqual(['${python}', 'servers/wss-server.py', '--host', '${host.ip}', '--port', '${port}', '--server_ca', '${server_ca}', '--server_cert', '${server_cert}', '--server_key', '${server_key}'])
  }, 60_000)
})
