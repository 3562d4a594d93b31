/**
 * `npm run bench`: the runner's costs measured side by side in one run, as ratios, and written to
 * BENCHMARKS.md. BENCH_QUICK=1 makes every count tiny (a smoke run, not figures to quote).
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { framerThroughput } from './framer-throughput.ts'
import { simulatorOnPty, ROOT } from './pty.ts'
import { soakInChild } from './soak.ts'
import { commandTime, timeToFirstByte } from './startup.ts'
import { stats } from './stats.ts'
import type { Stats } from './stats.ts'
import { DEFAULT_LINE } from '../dist/link/open-link.js'
import { serialTarget } from '../dist/targets/serial.js'
import { simulatorTarget } from '../dist/targets/simulator.js'
import { mqttRoundTrips, tcpRoundTrips } from './command-sets.ts'
import { engineSteps, pexpectSteps, rawSteps } from './step-overhead.ts'
import { wireBound } from './wire-bound.ts'

const quick = process.env.BENCH_QUICK === '1'
const N = {
  steps: quick ? 200 : 5000,
  trips: quick ? 20 : 1000,
  startupRuns: quick ? 5 : 30,
  soak: quick ? 2000 : 100_000,
  framerMiB: quick ? 1 : 16,
}
const f = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`)
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`
const log = (s: string) => console.log(s)
const MiB = 1024 * 1024

async function main(): Promise<void> {
  const python = process.env.PYTHON ?? '/usr/bin/python3'
  const sections: string[] = []
  const verdicts: string[] = []
  const target = (name: string, ok: boolean, figure: string, goal: string) => verdicts.push(row([name, figure, goal, ok ? 'met' : '**missed**']))

  // Loops measured in alternating rounds, so that a slow moment of a shared machine falls on all of them.
  const rounds = 5
  const per = Math.max(1, Math.round(N.steps / rounds))
  const interleave = async (loops: (() => Promise<Stats>)[]): Promise<Stats[]> => {
    const all: number[][] = loops.map(() => [])
    for (let r = 0; r < rounds; r++) for (const [i, loop] of loops.entries()) all[i]!.push(...(await loop()).samples)
    return all.map(stats)
  }
  // Framing first, in a process that has framed nothing else: a JIT warmed on other inputs is not the figure.
  log('3. framing throughput')
  const framing = framerThroughput(N.framerMiB * 1024 * 1024)
  log('1. per-step overhead, in process')
  const [rawSim, engineSim] = (await interleave([() => rawSteps(simulatorTarget(), per), () => engineSteps(simulatorTarget(), per)])) as [Stats, Stats]
  log('   over a pseudo-terminal')
  const pty = await simulatorOnPty()
  let rawPty: Stats, enginePty: Stats, pexpectPty: Stats
  try {
    const serial = serialTarget(pty.host, { baudRate: 115200, line: DEFAULT_LINE, replaySpeed: 1, cwd: ROOT })
    ;[rawPty, enginePty, pexpectPty] = (await interleave([() => rawSteps(serial, per), () => engineSteps(serial, per), () => pexpectSteps(pty.host, per)])) as [Stats, Stats, Stats]
  } finally {
    await pty.close()
  }
  const stepRows = [
    ['in process (simulator binding)', 'raw loop', rawSim],
    ['', 'engine', engineSim],
    ['pseudo-terminal (socat, sim in another process)', 'raw loop', rawPty],
    ['', 'engine', enginePty],
    ['', 'pyserial + pexpect', pexpectPty],
  ] as const
  sections.push(
    `## 1. Per-step overhead\n\n${rounds * per} steps of \`send: AT\` / \`expect: OK\` for each loop, in ${rounds} alternating rounds.\n\n` +
      [row(['link', 'loop', 'median', 'p99', 'mean']), row(['---', '---', '---', '---', '---']), ...stepRows.map(([l, n, s]) => row([l, n, f(s.median), f(s.p99), f(s.mean)]))].join('\n') +
      `\n\nRatios (median): engine / raw in process ${x(engineSim.median, rawSim.median)}; engine / raw over the PTY ${x(enginePty.median, rawPty.median)}; pexpect / engine over the PTY ${x(pexpectPty.median, enginePty.median)}.`,
  )
  target('engine vs raw loop, pseudo-terminal (median)', enginePty.median <= 1.2 * rawPty.median, x(enginePty.median, rawPty.median), '≤ 1.2×')
  target('engine vs raw loop, in process (median)', engineSim.median <= 1.2 * rawSim.median, x(engineSim.median, rawSim.median), '≤ 1.2×')
  target('pexpect loop vs engine, pseudo-terminal (median)', pexpectPty.median >= 5 * enginePty.median, x(pexpectPty.median, enginePty.median), '≥ 5× slower')

  log('2. start-up')
  const samples = { node: [] as number[], validate: [] as number[], firstByte: [] as number[] }
  for (let r = 0; r < rounds; r++) {
    const runs = Math.max(1, Math.round(N.startupRuns / rounds))
    samples.node.push(...commandTime([process.execPath, '-e', ''], runs, 1).samples)
    samples.validate.push(...commandTime([process.execPath, 'bin/at-scenario.js', 'validate', 'scenarios/tcp-echo.yaml'], runs, 1).samples)
    samples.firstByte.push(...(await timeToFirstByte(runs, 1)).samples)
  }
  const [node, validate, firstByte] = [stats(samples.node), stats(samples.validate), stats(samples.firstByte)] as [Stats, Stats, Stats]
  sections.push(
    `## 2. Start-up\n\nMedians of ${samples.node.length} runs each, in ${rounds} alternating rounds after a warm-up run, spawn to exit (or to the first byte on the wire).\n\n` +
      [
        row(['command', 'median', 'p99', 'vs node -e \'\'']),
        row(['---', '---', '---', '---']),
        row(["node -e ''", f(node.median), f(node.p99), '1.00×']),
        row(['at-scenario validate scenarios/tcp-echo.yaml', f(validate.median), f(validate.p99), x(validate.median, node.median)]),
        row(['at-scenario first-byte.yaml --port PTY: first byte written', f(firstByte.median), f(firstByte.p99), x(firstByte.median, node.median)]),
      ].join('\n'),
  )
  target('validate vs bare node start', validate.median <= 1.6 * node.median, x(validate.median, node.median), '≤ 1.6×')
  target('first byte vs bare node start', firstByte.median <= 2 * node.median, x(firstByte.median, node.median), '≤ 2×')

  sections.push(
    `## 3. Framing throughput\n\n${(framing.bytes / 1024 / 1024).toFixed(1)} MiB of device output (results, URCs, information lines, binary data with CR LF inside in every length-framed record: \`+IPD\` in its forms, \`+CIPRECVDATA\`, \`+MQTTSUBRECV\`, \`+HTTPCLIENT\`, \`+WS_DATA\`) in ${framing.chunks} chunks of 1 B to 4 KiB, best of 9 runs each, alternating.\n\n` +
      [row(['', 'MB/s']), row(['---', '---']), row(['framer (records, framed ones by length)', framing.framerMBps.toFixed(1)]), row(['baseline: split on CR LF with indexOf', framing.baselineMBps.toFixed(1)])].join('\n') +
      `\n\nThe framer runs at ${(framing.ratio * 100).toFixed(0)}% of the baseline.`,
  )
  target('framer vs split-only baseline', framing.ratio >= 0.5, `${(framing.ratio * 100).toFixed(0)}%`, '≥ 50%')

  log('4. soak')
  const s = await soakInChild(N.soak)
  const perStep = (s.heldGrowthMiB * MiB) / s.steps
  sections.push(
    `## 4. Soak\n\n${s.steps} steps in one run on the simulator after ${s.warmupSteps} steps of warm-up, transcript streamed to disk (${s.transcriptMiB.toFixed(1)} MiB), ${s.seconds.toFixed(1)} s. Each figure is read after two full garbage collections.\n\n` +
      [
        row(['RSS after step 100', 'after the warm-up', 'middle', 'end', 'growth over the measured steps', 'growth from step 100', 'held (heap + buffers) growth']),
        row(['---', '---', '---', '---', '---', '---', '---']),
        row([
          `${s.rssMiB.early.toFixed(1)} MiB`,
          `${s.rssMiB.start.toFixed(1)} MiB`,
          `${s.rssMiB.middle.toFixed(1)} MiB`,
          `${s.rssMiB.end.toFixed(1)} MiB`,
          `${s.growthMiB.toFixed(1)} MiB`,
          `${s.growthFromEarlyMiB.toFixed(1)} MiB`,
          `${s.heldGrowthMiB.toFixed(1)} MiB`,
        ]),
      ].join('\n') +
      `\n\nA run keeps passed steps as compact rows (src/engine/step-list.ts): ${perStep.toFixed(0)} bytes a step held. The growth from step 100 includes the warm-up, which costs about as much whatever a run keeps (see the notes below).`,
  )
  target('RSS growth over the soak (after the warm-up)', s.growthMiB < 20, `${s.growthMiB.toFixed(1)} MiB`, '< 20 MiB')

  log('5. wire-bound run')
  const w = await wireBound(python)
  sections.push(
    `## 5. Wire-bound run\n\nscenarios/tcp-echo.yaml on the simulator emulating ${w.baud} baud (8N1) with no delay of its own (bench/fixtures/wire-115200.yaml): ${w.bytesToDevice} bytes to the device and ${w.bytesFromDevice} from it during the steps.\n\n` +
      [row(['steps took', 'wire-time bound', 'ratio']), row(['---', '---', '---']), row([f(w.stepsMs), f(w.boundMs), x(w.stepsMs, w.boundMs)])].join('\n'),
  )
  target('tcp-echo.yaml vs wire-time bound at 115200 baud', w.ratio <= 1.05, x(w.stepsMs, w.boundMs), '≤ 1.05×')

  log('6. TCP/IP and MQTT round trips')
  const tripRounds = Math.max(1, Math.round(N.trips / rounds))
  const tcp = { engine: [] as number[], raw: [] as number[] }
  const mqtt = { engine: [] as number[], raw: [] as number[] }
  for (let r = 0; r < rounds; r++) {
    const t = await tcpRoundTrips(simulatorTarget(), tripRounds)
    tcp.engine.push(...t.engine.samples)
    tcp.raw.push(...t.raw.samples)
    const m = await mqttRoundTrips(simulatorTarget(), tripRounds, python)
    mqtt.engine.push(...m.engine.samples)
    mqtt.raw.push(...m.raw.samples)
  }
  const trips = [
    ['TCP: AT+CIPSEND=4, the bytes, their echo as +IPD', 'raw loop', stats(tcp.raw)],
    ['', 'engine (2 steps)', stats(tcp.engine)],
    ['MQTT: AT+MQTTPUB (QoS 0), the message back as +MQTTSUBRECV', 'raw loop', stats(mqtt.raw)],
    ['', 'engine (1 step)', stats(mqtt.engine)],
  ] as const
  sections.push(
    `## 6. TCP/IP and MQTT round trips\n\n${rounds * tripRounds} round trips of each on the simulator (in process), to a TCP echo server of the same process and to mosquitto (scenarios/servers/mqtt-broker.py), in ${rounds} alternating rounds; the real sockets make these the cost of the whole path, network included.\n\n` +
      [row(['round trip', 'loop', 'median', 'p99', 'mean']), row(['---', '---', '---', '---', '---']), ...trips.map(([l, n, st]) => row([l, n, f(st.median), f(st.p99), f(st.mean)]))].join('\n') +
      `\n\nRatios (median): engine / raw, TCP ${x(trips[1][2].median, trips[0][2].median)}; MQTT ${x(trips[3][2].median, trips[2][2].median)}.`,
  )

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node.js ${process.version}, ${new Date().toISOString().slice(0, 10)}`
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    } catch {
      return 'unknown'
    }
  })()
  const doc = [
    '# Benchmarks',
    '',
    `Figures from one run of \`npm run bench\` on ${machine}, commit ${commit}. Absolute times on shared machines are noisy; the ratios, measured side by side in the same run, are the figures to compare.`,
    '',
    '## Targets',
    '',
    row(['target', 'measured', 'goal', '']),
    row(['---', '---', '---', '---']),
    ...verdicts,
    '',
    ...sections.flatMap((sec) => [sec, '']),
    '## Reproduce',
    '',
    '```sh',
    './scripts/setup.sh                     # socat, python3-websockets, python3-serial, python3-pexpect, mosquitto',
    'npm run bench                          # builds, runs everything above, rewrites BENCHMARKS.md',
    'BENCH_QUICK=1 npm run bench            # tiny counts: checks the harness, not figures to quote',
    '```',
    '',
    'The pieces run on their own too: `npx tsx bench/framer-throughput.ts`; the others are modules of `bench/run.ts`.',
    '',
  ].join('\n')
  if (quick) {
    log(doc)
    return
  }
  writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), `${doc}${notes()}`)
  log(doc)
}

/** Hand-written analysis kept below the generated part (bench/NOTES.md). */
function notes(): string {
  try {
    return `\n${execFileSync('cat', [new URL('NOTES.md', import.meta.url).pathname], { encoding: 'utf8' })}`
  } catch {
    return ''
  }
}

await main()
