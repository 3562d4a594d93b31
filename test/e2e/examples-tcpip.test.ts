import { describe, it } from 'vitest'
import { usePtySim } from '../helpers/resources.ts'
import { runEverywhere, scratch, TCPIP_EXAMPLES } from './examples.ts'

describe('scenarios/tcpip: the TCP/IP examples page, through the CLI', () => {
  const pty = usePtySim()
  for (const example of TCPIP_EXAMPLES) {
    // Skipped ones wait for the protocol layer (examples.ts says for what); enabled at its merge.
    const test = example.waitsFor ? it.skip : it
    test(`${example.file} passes on the simulator, over sim --pty with --port, and replayed from its recording${example.waitsFor ? ` (waits for ${example.waitsFor})` : ''}`, async () => {
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
