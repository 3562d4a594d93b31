import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'

describe('at-scenario ports', () => {
  it('lists the USB serial ports of this machine, or says there is none, and exits 0', async () => {
    const run = await runCli(['ports'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^(No USB serial ports found\.\n|PORT +VID:PID +SERIAL +DEVICE\n(\S+ +[0-9a-f]{4}:[0-9a-f?]{4} +\S+ +.+\n)+)$/)
  })
})
