import { afterAll, describe, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { expectPassed, MQTT_HTTP_EXAMPLES, portVars, scratch, TCPIP_EXAMPLES } from './examples.ts'

const out = scratch()
afterAll(() => out.remove())

/** Examples whose records and URCs the flaky-network profile cuts and moves. */
const ROBUST = ['tcpip/tcp-client-single.yaml', 'tcpip/tcp-server-multiple.yaml', 'tcpip/udp-changeable-remote.yaml', 'tcpip/passive-receive.yaml', 'http/head.yaml', 'http/post-recommended.yaml']

describe('robustness: the examples on a device whose records come in pieces and whose URCs come inside echoes and prompts', () => {
  for (const file of ROBUST) {
    it(`${file} passes with --profile scenarios/profiles/flaky-network.yaml`, async () => {
      const example = [...TCPIP_EXAMPLES, ...MQTT_HTTP_EXAMPLES].find((e) => e.file === file)!
      const { args, ports } = await portVars(example)
      const run = await runCli([`scenarios/${file}`, '--profile', 'scenarios/profiles/flaky-network.yaml', ...args, '--output-dir', out.dir])
      await expectPassed(run, ports)
    })
  }
})
