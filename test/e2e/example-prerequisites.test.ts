import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { freePort, isListening, processesMatching } from '../helpers/net.ts'
import { scratch } from './examples.ts'

const out = scratch()
afterAll(() => out.remove())

/** No server of the run is left: nothing listens on its ports and no process names them. */
async function nothingLeft(ports: number[]): Promise<void> {
  for (const port of ports) {
    expect(await isListening(port)).toBe(false)
    expect(processesMatching(`--port ${port}`)).toEqual([])
  }
}

describe('the examples\' prerequisites never outlive a run', () => {
  it('on failure: a wrong Wi-Fi password fails the join, and the PC\'s TCP server is stopped', async () => {
    const port = await freePort()
    const run = await runCli(['scenarios/tcpip/tcp-client-single.yaml', '--var', `port=${port}`, '--output-dir', out.dir], { env: { WIFI_PASSWORD: 'not-the-password' } })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('+CWJAP:2')
    await nothingLeft([port])
  })

  it('on failure: mosquitto (started through mqtt-broker.py, listening on its port) is gone with its wrapper', async () => {
    const port = await freePort()
    const run = await runCli(['scenarios/mqtt/mqtt-tcp-small-data.yaml', '--var', `broker_port=${port}`, '--output-dir', out.dir], { env: { WIFI_PASSWORD: 'not-the-password' } })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/✔ Start Local MQTT broker \(mosquitto\)/)
    await nothingLeft([port])
  })

  it('on Ctrl-C while the router is joined: exit 130, teardown ran, mosquitto and its wrapper stopped', async () => {
    const port = await freePort()
    let interrupted = false
    const run = await runCli(['scenarios/mqtt/mqtt-tcp-small-data.yaml', '--var', `broker_port=${port}`, '--output-dir', out.dir], {
      onStdout: (soFar, child) => {
        if (!interrupted && soFar.includes('✔ Start Local MQTT broker')) {
          interrupted = true
          child.kill('SIGINT')
        }
      },
    })
    expect(interrupted).toBe(true)
    expect(run.code).toBe(130)
    expect(run.stdout).toMatch(/Close MQTT connections/)
    await nothingLeft([port])
  })

  it('on Ctrl-C: the PC\'s client of a device-server example is stopped too', async () => {
    const port = await freePort()
    let interrupted = false
    const run = await runCli(['scenarios/tcpip/tcp-server-multiple.yaml', '--var', `server_port=${port}`, '--output-dir', out.dir], {
      onStdout: (soFar, child) => {
        if (!interrupted && soFar.includes('✔ Start PC')) {
          interrupted = true
          child.kill('SIGINT')
        }
      },
    })
    expect(run.code).toBe(130)
    await nothingLeft([port])
  })
})
