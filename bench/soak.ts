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
  steps: number
  rssMiB: { start: number; middle: number; end: number }
  growthMiB: number
  transcriptMiB: number
  seconds: number
}

const MiB = 1024 * 1024

/** `count` steps in one run, on the simulator, with the transcript streamed: RSS after the first hundred steps, in the middle and at the end. */
export async function soak(count: number): Promise<SoakResult> {
  // One step parsed, repeated: a 100,000-step YAML file would make the parser's garbage the figure.
  const { scenario } = parseScenario('soak.yaml', atScenario(1), { cliVars: new Map(), env: {}, cwd: process.cwd() })
  if (!scenario) throw new Error('soak scenario invalid')
  const step = scenario.steps[0]!
  scenario.steps = Array.from({ length: count }, (_, index) => ({ ...step, index }))
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-soak-'))
  const quiet = { write: () => true }
  const reporting = await RunReporting.start({ stdout: quiet, stderr: quiet, cwd: dir, plain: true, color: false, sources: () => undefined, outputDir: dir, formats: [], version: 'bench' })
  const link = await simulatorTarget().open()
  const reporter = await reporting.scenarioStarting(scenario, { description: link.description, onSimulator: true })
  const rss = () => process.memoryUsage().rss / MiB
  const samples = { start: 0, middle: 0, end: 0 }
  const started = performance.now()
  const listener = (event: EngineEvent) => {
    reporter.listener(event)
    // The start is taken once the code paths are warm (JIT, buffers), after the first hundred steps.
    if (event.type === 'step:end' && event.result.index === Math.min(100, count - 1)) {
      globalThis.gc?.()
      samples.start = rss()
    }
    if (event.type === 'step:end' && event.result.index === Math.floor(count / 2)) {
      globalThis.gc?.()
      samples.middle = rss()
    }
  }
  const result = await runScenario(scenario, { link, variables: { cliVars: new Map(), env: {}, hostIp: '127.0.0.1', onSimulator: true }, env: {}, onEvent: listener })
  const seconds = (performance.now() - started) / 1000
  globalThis.gc?.()
  samples.end = rss()
  await reporter.end(result)
  await link.close()
  const transcriptMiB = statSync(join(dir, 'soak.transcript.txt')).size / MiB
  rmSync(dir, { recursive: true, force: true })
  if (result.status !== 'passed') throw new Error(`soak run ${result.status}`)
  return { steps: count, rssMiB: samples, growthMiB: samples.end - samples.start, transcriptMiB, seconds }
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
  console.log(JSON.stringify(await soak(Number(process.argv[2] ?? 100_000))))
}
