import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runScenario } from '../dist/engine/run-scenario.js'
import type { EngineEvent } from '../dist/engine/events.js'
import { simulatorTarget } from '../dist/targets/simulator.js'
import { RunReporting } from '../dist/report/run-reporting.js'
import { parseScenario } from '../dist/source/load.js'
import { atScenario } from './step-overhead.ts'

export interface SoakResult {
  /** Steps measured, after `warmupSteps` that were not. */
  steps: number
  warmupSteps: number
  /** RSS after step 100 (`early`, as this bench measured before it had a warm-up), after the warm-up (`start`), in the middle and at the end. */
  rssMiB: { early: number; start: number; middle: number; end: number }
  /** RSS growth over the measured steps: end − start. */
  growthMiB: number
  /** RSS growth from step 100 on, warm-up included: end − early. */
  growthFromEarlyMiB: number
  /** What the run holds at the start and the end (JS heap in use plus array buffers), without the allocators' slack. */
  heldMiB: { start: number; end: number }
  heldGrowthMiB: number
  transcriptMiB: number
  seconds: number
}

const MiB = 1024 * 1024
/** Steps run before the measured ones: the first thousands grow RSS by ~15 MiB whatever a run keeps (JIT tiers, V8's young generation, malloc arenas). */
export const SOAK_WARMUP = 10_000

/**
 * `count` steps in one run on the simulator, after `warmup` more, with the transcript streamed:
 * RSS after step 100, after the warm-up, in the middle and at the end. Each sample follows two
 * full garbage collections: after only one, RSS varied by tens of MiB between identical runs.
 */
export async function soak(count: number, warmup = SOAK_WARMUP): Promise<SoakResult> {
  // One step parsed, repeated: a 100,000-step YAML file would make the parser's garbage the figure.
  const { scenario } = parseScenario('soak.yaml', atScenario(1), { cliVars: new Map(), env: {}, cwd: process.cwd() })
  if (!scenario) throw new Error('soak scenario invalid')
  const step = scenario.steps[0]!
  const total = warmup + count
  scenario.steps = Array.from({ length: total }, (_, index) => ({ ...step, index }))
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-soak-'))
  const quiet = { write: () => true }
  const reporting = await RunReporting.start({ stdout: quiet, stderr: quiet, cwd: dir, plain: true, color: false, sources: () => undefined, outputDir: dir, formats: [], version: 'bench' })
  const link = await simulatorTarget().open()
  const reporter = await reporting.scenarioStarting(scenario, { description: link.description, onSimulator: true })
  const sample = () => {
    globalThis.gc?.()
    globalThis.gc?.()
    const m = process.memoryUsage()
    return { rss: m.rss / MiB, held: (m.heapUsed + m.arrayBuffers) / MiB }
  }
  const at = new Map<number, 'early' | 'start' | 'middle'>([
    [Math.min(100, total - 1), 'early'],
    [warmup, 'start'],
    [warmup + Math.floor(count / 2), 'middle'],
  ])
  const samples: Partial<Record<'early' | 'start' | 'middle' | 'end', { rss: number; held: number }>> = {}
  const started = performance.now()
  const listener = (event: EngineEvent) => {
    reporter.listener(event)
    const when = event.type === 'step:end' && event.result.phase === 'steps' ? at.get(event.result.index) : undefined
    if (when) samples[when] = sample()
  }
  const result = await runScenario(scenario, { link, variables: { cliVars: new Map(), env: {}, hostIp: '127.0.0.1', onSimulator: true }, env: {}, onEvent: listener })
  const seconds = (performance.now() - started) / 1000
  samples.end = sample()
  await reporter.end(result)
  await link.close()
  const transcriptMiB = statSync(join(dir, 'soak.transcript.txt')).size / MiB
  rmSync(dir, { recursive: true, force: true })
  if (result.status !== 'passed') throw new Error(`soak run ${result.status}`)
  const { early, start, middle, end } = samples as Required<typeof samples>
  return {
    steps: count,
    warmupSteps: warmup,
    rssMiB: { early: early.rss, start: start.rss, middle: middle.rss, end: end.rss },
    growthMiB: end.rss - start.rss,
    growthFromEarlyMiB: end.rss - early.rss,
    heldMiB: { start: start.held, end: end.held },
    heldGrowthMiB: end.held - start.held,
    transcriptMiB,
    seconds,
  }
}

/** Runs the soak in a fresh process, so that the figures are the run's own and not the harness's. */
export async function soakInChild(count: number): Promise<SoakResult> {
  const { execFile } = await import('node:child_process')
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--expose-gc', '--import', 'tsx', new URL(import.meta.url).pathname, String(count)], { maxBuffer: 1 << 20 }, (e, stdout, stderr) =>
      e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout),
    ),
  )
  return JSON.parse(out) as SoakResult
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  console.log(JSON.stringify(await soak(Number(process.argv[2] ?? 100_000), process.argv[3] !== undefined ? Number(process.argv[3]) : SOAK_WARMUP)))
}
