import { describe, expect, it } from 'vitest'
import { LabgridEnvError, readLabgridEnv, serialOf } from '../../src/targets/labgrid-env.ts'

const read = (text: string, env: Record<string, string> = {}) => readLabgridEnv(text, 'env.yaml', { base: '/lab', env })

describe('labgrid environment files', () => {
  it('reads NetworkSerialPort in the map form, with labgrid defaults (speed 115200, protocol rfc2217)', () => {
    const [t] = read(`
targets:
  main:
    resources:
      NetworkSerialPort:
        host: rack-3
        port: 4001
    drivers:
      SerialDriver: {}
`)
    expect(t).toEqual({ name: 'main', serial: [{ cls: 'NetworkSerialPort', name: undefined, host: 'rack-3', port: 4001, speed: 115200, protocol: 'rfc2217' }] })
  })

  it('reads the list form with names, raw protocol, RawSerialPort and RemotePlace, as labgrid-client env prints it', () => {
    const [a, b] = read(`
targets:
  esp32-1:
    resources:
    - NetworkSerialPort:
        name: at
        host: exporter-1
        port: 53867
        speed: 921600
        protocol: raw
        extra: {path: /dev/ttyUSB1}
    - RawSerialPort:
        name: log
        port: /dev/ttyUSB0
  remote:
    resources:
      RemotePlace:
        name: esp32-1
`)
    expect(a!.serial).toEqual([
      { cls: 'NetworkSerialPort', name: 'at', host: 'exporter-1', port: 53867, speed: 921600, protocol: 'raw' },
      { cls: 'RawSerialPort', name: 'log', port: '/dev/ttyUSB0', speed: 115200 },
    ])
    expect(serialOf(a!, 'log', 'x')).toMatchObject({ port: '/dev/ttyUSB0' })
    expect(() => serialOf(a!, undefined, 'target esp32-1')).toThrow('target esp32-1 has 2 serial resources (at, log): name one, e.g. --port labgrid:esp32-1/at')
    expect(() => serialOf(a!, 'console', 'target esp32-1')).toThrow('target esp32-1 has no serial resource `console` (it has at, log)')
    expect(b).toEqual({ name: 'remote', serial: [], remotePlace: 'esp32-1' })
  })

  it('fills !template strings from $BASE and the LG_* environment, and names an unknown variable', () => {
    const [t] = read(
      `
targets:
  main:
    resources:
      NetworkSerialPort:
        host: !template $LG_EXPORTER
        port: !template '\${LG_PORT}'
      RawSerialPort:
        port: !template $BASE/tty
`,
      { LG_EXPORTER: 'exp-2', LG_PORT: '4100', HOME: '/root' },
    )
    expect(t!.serial).toMatchObject([{ host: 'exp-2', port: 4100 }, { port: '/lab/tty' }])
    expect(() => read('targets: {main: {resources: {NetworkSerialPort: {host: !template $HOME, port: 1}}}}', { HOME: '/root' })).toThrow(
      "env.yaml refers to unknown variable 'HOME' (labgrid fills in $BASE and the LG_* environment variables)",
    )
  })

  it('says what is wrong: no targets, a port that is no number, a protocol labgrid does not have, bad YAML', () => {
    expect(() => read('options: {}')).toThrow('env.yaml: no `targets:`')
    expect(() => read('targets: {main: {resources: {NetworkSerialPort: {host: h, port: telnet}}}}')).toThrow('env.yaml: target `main`: NetworkSerialPort needs a `port` number, got "telnet"')
    expect(() => read('targets: {main: {resources: {NetworkSerialPort: {host: h, port: 1, protocol: ssh}}}}')).toThrow("NetworkSerialPort's `protocol` is rfc2217 or raw")
    expect(() => read('targets: [')).toThrow(LabgridEnvError)
    expect(() => serialOf(read('targets: {main: {resources: {USBPowerPort: {}}}}')[0]!, undefined, 'target main')).toThrow('target main has no NetworkSerialPort or RawSerialPort resource')
  })
})

describe('the example in docs/examples/labgrid-env.yaml', () => {
  it('reads as labgrid reads it (test/e2e/labs-labgrid.test.ts asks labgrid itself)', async () => {
    const { readFileSync } = await import('node:fs')
    const file = new URL('../../docs/examples/labgrid-env.yaml', import.meta.url)
    const [t] = readLabgridEnv(readFileSync(file, 'utf8'), 'labgrid-env.yaml', { base: '/', env: { LG_EXPORTER: 'exporter-1' } })
    expect(t!.serial).toEqual([{ cls: 'NetworkSerialPort', name: undefined, host: 'exporter-1', port: 4001, speed: 115200, protocol: 'rfc2217' }])
  })
})
