import { describe, it } from 'vitest'
import { usePtySim } from '../helpers/resources.ts'
import { runEverywhere, scratch, TCPIP_EXAMPLES } from './examples.ts'

describe('scenarios/tcpip: the TCP/IP examples page, through the CLI', () => {
  const pty = usePtySim()
  for (const example of TCPIP_EXAMPLES) {
    it(`${example.file} passes on the simulator, over sim --pty with --port, and replayed from its recording`, async () => {
      const { pair } = await pty.served()
      const { dir, remove } = scratch()
      try {
        await runEverywhere(example, pair.host, dir)
      } finally {
        remove()
      }
    })
  }
})
