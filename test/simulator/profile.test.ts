import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadDeviceProfile, parseDeviceProfile } from '../../src/simulator/profile-load.ts'
import { DEFAULT_PROFILE } from '../../src/simulator/profile.ts'
import { PROJECT_PKI, ROOT } from './servers.ts'

const HERE = `${ROOT}test/fixtures/profiles/`

describe('device profiles (schema/device.schema.json)', () => {
  it('an empty profile is the default device', () => {
    expect(parseDeviceProfile(`${HERE}empty.yaml`, '# nothing\n')).toEqual({ profile: DEFAULT_PROFILE, diagnostics: [] })
  })

  it('scenarios/profiles/default.yaml spells out exactly the built-in defaults', async () => {
    const { profile, diagnostics } = await loadDeviceProfile(`${ROOT}scenarios/profiles/default.yaml`)
    expect(diagnostics).toEqual([])
    expect(profile).toEqual(DEFAULT_PROFILE)
  })

  it('maps merge with the defaults, lists replace them; durations become ms; paths are relative to the profile', () => {
    const text = [
      'accessPoints:',
      '  - ssid: lab',
      '    password: secret-pw',
      '    joinDelay: 1.5s',
      'sntp: { time: "2024-11-13T09:00:15Z", syncDelay: 20 }',
      'websocket: { reconnectDelay: 2m }',
      'pki:',
      '  caCerts: [../../../scenarios/pki/ca.crt, ../../../scenarios/pki/server.crt]',
      'faults: { splitWrites: { maxBytes: 4 }, dropWebSocket: { after: 250ms } }',
    ].join('\n')
    const { profile, diagnostics } = parseDeviceProfile(`${HERE}custom.yaml`, text)
    expect(diagnostics).toEqual([])
    expect(profile!.accessPoints).toEqual([{ ...DEFAULT_PROFILE.accessPoints[0]!, ssid: 'lab', password: 'secret-pw', joinDelayMs: 1500 }])
    expect(profile!.sntp).toEqual({ time: Date.UTC(2024, 10, 13, 9, 0, 15), syncDelayMs: 20, reachable: true })
    expect(profile!.websocket).toEqual({ reconnectDelayMs: 120_000, networkTimeoutMs: 10_000 })
    expect(profile!.pki).toEqual({ ...DEFAULT_PROFILE.pki, caCerts: [`${PROJECT_PKI}ca.crt`, `${PROJECT_PKI}server.crt`] })
    expect(profile!.faults).toEqual({ seed: 1, splitWrites: { maxBytes: 4 }, dropWebSocket: { afterMs: 250 } })
    expect(profile!.gmr).toEqual(DEFAULT_PROFILE.gmr)
  })

  it('reports every mistake at file:line:col: unknown keys with a suggestion, wrong types, bad values, missing and non-PEM files', () => {
    const text = [
      'firmware:',
      '  gmr: AT version:1', // 2: not a list
      'acessPoints: []', // 3: misspelt
      'mac: 24-0a', // 4: bad pattern
      'pki:',
      '  clientCerts: [nope.crt]', // 6: missing file
      '  caCerts: [../../../scenarios/pki/client.key]', // 7: a key, not a certificate
      'faults: { baudRate: 10 }', // 8: below the minimum
    ].join('\n')
    const { profile, diagnostics } = parseDeviceProfile(`${HERE}bad.yaml`, text)
    expect(profile).toBeUndefined()
    const shown = diagnostics.map((d) => `${d.code} ${d.span!.start.line}:${d.span!.start.col} ${d.message}${d.hint ? ` (${d.hint})` : ''}`)
    expect(shown).toEqual([
      'wrong-type 2:8 `firmware.gmr` must be a list, not a string',
      'unknown-key 3:1 unknown key `acessPoints` in the device profile (did you mean `accessPoints`?)',
      'bad-value 4:6 `mac` must be a MAC address such as `24:0a:c4:00:00:01`',
      `file-unreadable 6:17 cannot read nope.crt: no such file (paths are relative to the profile (${HERE.replace(/\/$/, '')}))`,
      'bad-value 7:13 ../../../scenarios/pki/client.key holds no PEM certificate',
      'bad-value 8:21 `faults.baudRate` must be at least 300',
    ])
  })

  it('a YAML syntax error is reported with its place', () => {
    const { diagnostics } = parseDeviceProfile(`${HERE}broken.yaml`, 'sntp: { time: host\n')
    expect(diagnostics[0]).toMatchObject({ code: 'yaml-syntax', span: { file: `${HERE}broken.yaml` } })
  })

  it('a missing profile file is named', async () => {
    const { diagnostics } = await loadDeviceProfile(`${HERE}no-such-profile.yaml`)
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([['file-unreadable', `cannot read device profile ${HERE}no-such-profile.yaml: no such file`]])
  })

  it('the profiles shipped for tests and users load (all but the deliberately broken one)', async () => {
    const files = [
      ...readdirSync(HERE).filter((f) => f !== 'invalid.yaml').map((f) => `${HERE}${f}`),
      ...readdirSync(`${ROOT}scenarios/profiles`).map((f) => `${ROOT}scenarios/profiles/${f}`),
    ]
    for (const file of files) expect((await loadDeviceProfile(file)).diagnostics, file).toEqual([])
  })

  it('every key of the schema has a description', () => {
    const schema = JSON.parse(readFileSync(`${ROOT}schema/device.schema.json`, 'utf8')) as Record<string, unknown>
    const undescribed: string[] = []
    const walk = (node: Record<string, unknown>, path: string) => {
      for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (typeof child.description !== 'string') undescribed.push(`${path}${key}`)
        walk(child, `${path}${key}.`)
      }
      if (node.items) walk(node.items as Record<string, unknown>, path)
    }
    walk(schema, '')
    for (const [name, def] of Object.entries(schema.definitions as Record<string, Record<string, unknown>>)) walk(def, `definitions.${name}.`)
    expect(undescribed).toEqual([])
  })
})

describe('a profile path that names no profile', () => {
  it('says the file is no profile and quotes none of it', () => {
    for (const [file, text] of [
      ['/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nsecret-line\n'],
      ['/home/u/.ssh/id_ed25519', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk: [\n'],
      ['/tmp/list.yaml', '- a\n- b\n'],
    ] as const) {
      const { profile, diagnostics } = parseDeviceProfile(file, text)
      expect(profile).toBeUndefined()
      expect(diagnostics.map((d) => [d.code, d.span])).toEqual([['bad-value', undefined]])
      expect(diagnostics[0]!.message).toMatch(/^the device profile .* is not (YAML|a map of device settings): a profile is a YAML map .*; the file's content is not shown$/)
      for (const line of text.split('\n').filter(Boolean)) expect(diagnostics[0]!.message).not.toContain(line.slice(0, 10))
    }
  })

  it('still shows the YAML mistakes of a file named .yaml, and rejects its delays longer than a timer can wait', () => {
    expect(parseDeviceProfile('/tmp/p.yaml', 'sntp: { time: host\n').diagnostics[0]).toMatchObject({ code: 'yaml-syntax', span: { file: '/tmp/p.yaml' } })
    const { diagnostics } = parseDeviceProfile('/tmp/p.yaml', 'sntp: { syncDelay: 40000m }\naccessPoints:\n  - { ssid: a, joinDelay: 2147483648 }\n')
    expect(diagnostics.map((d) => [d.code, d.span?.start.line])).toEqual([['bad-duration', 1], ['bad-duration', 3]])
  })
})
