import { spawn, spawnSync } from 'node:child_process'
import { SerialPort } from 'serialport'
import { stats } from './stats.ts'
import type { Stats } from './stats.ts'
import { BIN, ROOT } from './pty.ts'
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Wall time of a command from spawn to exit, median of `runs` after `warmup` runs. */
export function commandTime(argv: string[], runs: number, warmup = 3): Stats {
  const samples: number[] = []
  for (let i = 0; i < warmup + runs; i++) {
    const started = performance.now()
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: 'ignore' })
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited with ${r.status}`)
    if (i >= warmup) samples.push(performance.now() - started)
  }
  return stats(samples)
}

/**
 * From spawning `at-scenario <scenario> --port <pty>` to its first byte arriving on the other end
 * of the pseudo-terminal, read here: the start-up a run pays before it talks to the device.
 */
export async function timeToFirstByte(runs: number, warmup = 3): Promise<Stats> {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-first-byte-'))
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${dir}/device`, `pty,raw,echo=0,link=${dir}/host`], { stdio: ['ignore', 'ignore', 'pipe'] })
  await new Promise<void>((resolve, reject) => {
    let log = ''
    socat.once('exit', (code) => reject(new Error(`socat exited (${code}): ${log}`)))
    socat.stderr.on('data', (d: Buffer) => {
      log += d.toString()
      if (/starting data transfer loop/.test(log)) resolve()
    })
  })
  const device = new SerialPort({ path: `${dir}/device`, baudRate: 115200, lock: false })
  await new Promise<void>((resolve) => device.once('open', () => resolve()))
  const samples: number[] = []
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const started = performance.now()
      const child = spawn(process.execPath, [BIN, 'bench/fixtures/first-byte.yaml', '--port', realpathSync(`${dir}/host`), '--output-dir', dir], { cwd: ROOT, stdio: 'ignore' })
      await new Promise<void>((resolve, reject) => {
        device.once('data', () => resolve())
        child.once('exit', (code) => reject(new Error(`at-scenario exited (${code}) before writing a byte`)))
      })
      const elapsed = performance.now() - started
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGKILL')
      await exited
      if (i >= warmup) samples.push(elapsed)
    }
  } finally {
    await new Promise<void>((resolve) => device.close(() => resolve()))
    socat.kill()
    rmSync(dir, { recursive: true, force: true })
  }
  return stats(samples)
}
