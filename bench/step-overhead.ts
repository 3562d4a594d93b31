import { runScenario } from '../dist/engine/run-scenario.js'
import type { Target } from '../dist/targets/index.js'
import { parseScenario } from '../dist/source/load.js'
import { stats } from './stats.ts'
import type { Stats } from './stats.ts'

/** A scenario of `count` steps `send: AT` / `expect: OK`. */
export function atScenario(count: number): string {
  return `name: ${count} times AT\nsteps:\n${'  - send: AT\n    expect: OK\n'.repeat(count)}`
}

/** Per-step times of the engine: the scenario run by runScenario, no reporters attached. */
export async function engineSteps(target: Target, count: number): Promise<Stats> {
  const { scenario, diagnostics } = parseScenario('bench.yaml', atScenario(count), { cliVars: new Map(), env: {}, cwd: process.cwd() })
  if (!scenario) throw new Error(diagnostics.map((d) => d.message).join('\n'))
  const link = await target.open()
  try {
    const result = await runScenario(scenario, {
      link,
      variables: { cliVars: new Map(), env: {}, hostIp: '127.0.0.1', onSimulator: target.onSimulator },
      env: {},
    })
    const failed = result.steps.filter((s) => s.status !== 'passed')
    if (failed.length > 0) throw new Error(`${failed.length} steps did not pass: ${failed[0]!.failure?.message}`)
    return stats(result.steps.map((s) => s.durationMs))
  } finally {
    await link.close()
  }
}

/** The same exchanges in a minimal hand-written loop over the same kind of link: write AT, wait for OK. */
export async function rawSteps(target: Target, count: number): Promise<Stats> {
  const link = await target.open()
  let text = ''
  let waiting: (() => void) | undefined
  link.onData((bytes) => {
    text += Buffer.from(bytes).toString('latin1')
    if (waiting && text.includes('\r\nOK\r\n')) {
      const w = waiting
      waiting = undefined
      w()
    }
  })
  link.onClose(() => {})
  const samples: number[] = []
  try {
    // Let the boot banner pass, as the engine does by treating it as start-up output.
    await new Promise((r) => setTimeout(r, 50))
    text = ''
    for (let i = 0; i < count; i++) {
      const t = performance.now()
      const ok = new Promise<void>((resolve) => (waiting = resolve))
      await link.write(Buffer.from('AT\r\n'))
      await ok
      samples.push(performance.now() - t)
      text = ''
    }
    return stats(samples)
  } finally {
    await link.close()
  }
}


/** The peer: pyserial + pexpect doing the same exchanges (Debian python3-serial, python3-pexpect). */
export async function pexpectSteps(path: string, count: number): Promise<Stats> {
  const { execFile } = await import('node:child_process')
  const script = new URL('peer/pexpect_loop.py', import.meta.url).pathname
  const out = await new Promise<string>((resolve, reject) =>
    execFile('/usr/bin/python3', [script, path, String(count)], { maxBuffer: 64 * 1024 * 1024 }, (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))),
  )
  return stats(JSON.parse(out) as number[])
}
