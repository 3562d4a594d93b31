import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from './cli.ts'
import { ptyPair } from './pty.ts'
import type { PtyPair } from './pty.ts'

export interface HostileDevice {
  /** What the runner opens with --port. */
  port: string
  /** Every command line the device received, in order, and a `{payload, sha256}` per payload. */
  received(): (string | { payload: number; sha256: string })[]
  close(): Promise<void>
}

/** test/fixtures/hostile/device.py on one end of a socat pseudo-terminal pair. */
export async function hostileDevice(): Promise<HostileDevice> {
  const pair: PtyPair = await ptyPair()
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-hostile-'))
  const log = join(dir, 'received.jsonl')
  const child: ChildProcess = spawn('python3', [`${ROOT}test/fixtures/hostile/device.py`, pair.device, '--log', log], { stdio: ['ignore', 'ignore', 'inherit'] })
  // The device is ready once it has opened its end: until then a write from the host is lost.
  for (let i = 0; i < 200 && !existsSync(log); i++) await new Promise((r) => setTimeout(r, 10))
  if (!existsSync(log)) throw new Error('the hostile device did not start')
  return {
    port: pair.host,
    received: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string | { payload: number; sha256: string }),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill()
        await exited
      }
      await pair.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Bytes a terminal would act on: ESC and BEL, as the escape tests look for them in every output. */
export function terminalControls(text: string): string[] {
  // eslint-disable-next-line no-control-regex -- these are what the tests look for
  return [...text.matchAll(/[\u001b\u0007]/g)].map((m) => `0x${m[0].charCodeAt(0).toString(16)} at ${m.index}`)
}
