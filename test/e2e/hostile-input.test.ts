import { spawn, execFileSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BIN, runCli } from '../helpers/cli.ts'
import type { CliOptions, CliRun } from '../helpers/cli.ts'
import { freePort, isListening, processesMatching } from '../helpers/net.ts'
import { processesCarrying } from '../helpers/processes.ts'
import { usePtySim } from '../helpers/resources.ts'

/**
 * Input an attacker (or a very confused colleague) would give the CLI: YAML that expands without
 * end or cannot resolve, devices and FIFOs where files should be, prerequisites whose children
 * escape their process group, outputs that cannot be written, a port already taken. Each gets a
 * located error or a clear line and its exit code, without a stack trace, a hang, an orphan
 * process or a memory blow-up (measured as the kernel accounts the CLI's peak RSS).
 */

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-hostile-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** A directory holding these files, for the CLI to run in. */
function files(contents: Record<string, string>): string {
  const dir = tempDir()
  for (const [name, text] of Object.entries(contents)) {
    mkdirSync(join(dir, name, '..'), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

/** The variable that marks every process a run of the CLI started (children inherit it). */
const RUN_MARK = 'AT_SCENARIO_HOSTILE_TEST_RUN'

/**
 * Runs the CLI as runCli does, with a mark of its own in the environment, and checks once it has
 * exited that no process carrying the mark is left: nothing it started, in its process group or not.
 */
async function cli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const mark = randomUUID()
  const run = await runCli(args, { ...options, env: { ...options.env, [RUN_MARK]: mark } })
  expect(processesCarrying(RUN_MARK, mark), `processes left by ${args.join(' ')}`).toEqual([])
  return run
}

/** A JavaScript stack trace, in any of the forms Node prints one. */
const STACK_TRACE = [/^\s+at \S.*:\d+:\d+\)?$/m, /file:\/\/\//, /^Node\.js v\d+/m, /^\s*\^+\s*$/m]

function expectNoStackTrace(run: CliRun): void {
  for (const pattern of STACK_TRACE) {
    expect(run.stdout, `stdout matches ${String(pattern)}`).not.toMatch(pattern)
    expect(run.stderr, `stderr matches ${String(pattern)}`).not.toMatch(pattern)
  }
}

/** Comfortably above what the CLI needs to check a small scenario (about 60-80 MiB), far below a blow-up. */
const MEMORY_BOUND_KIB = 200 * 1024

/** Nine anchors of nine aliases each: 9^9 values in a few hundred bytes. */
function aliasBomb(indent = ''): string {
  const lines = [`${indent}a0: &a0 [${Array(9).fill('"lol"').join(', ')}]`]
  for (let l = 1; l < 9; l++) lines.push(`${indent}a${l}: &a${l} [${Array(9).fill(`*a${l - 1}`).join(', ')}]`)
  return lines.join('\n')
}

describe('YAML aliases', () => {
  it('an alias to an anchor that does not exist: a located error, exit 2, for validate and run alike', async () => {
    const cwd = files({ 'nope.yaml': 'name: x\nsteps:\n  - send: *nope\n' })
    for (const args of [['validate', 'nope.yaml'], ['nope.yaml']]) {
      const run = await cli(args, { cwd })
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('error[yaml-alias]: the alias `*nope` refers to no anchor: there is no `&nope` before it\n --> nope.yaml:3:11\n')
      expect(run.stderr).toContain('1 error; nothing was run.')
      expect(run.stdout).toBe('')
      expectNoStackTrace(run)
    }
  })

  it('an alias bomb, at the top or inside steps: a located error naming the limit, exit 2, and no memory blow-up', async () => {
    const cwd = files({
      'top.yaml': `name: bomb\n${aliasBomb()}\nsteps:\n  - send: AT\n`,
      'in-steps.yaml': `name: bomb\nsteps:\n  - send: AT\n    expect:\n      - { ${aliasBomb().split('\n').join(', ')} }\n`,
    })
    for (const file of ['top.yaml', 'in-steps.yaml']) {
      const run = await cli(['validate', file], { cwd, measurePeakRss: true })
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(new RegExp(`error\\[too-large\\]: the alias \`\\*a\\d\` is one use too many of \`&a\\d\`: an anchor may stand for at most 100 values, counting the aliases inside it \\(the yaml package's maxAliasCount\\)[^\\n]*\\n --> ${file}:\\d+:\\d+\\n`))
      expect(run.peakRssKiB).toBeGreaterThan(0)
      expect(run.peakRssKiB).toBeLessThan(MEMORY_BOUND_KIB)
      expectNoStackTrace(run)
    }
  })

  it('an alias that reaches for an anchor of the including file: located in the included file', async () => {
    const cwd = files({
      'main.yaml': 'name: x\nsteps:\n  - send: &cmd AT\n  - include: common/steps.yaml\n',
      'common/steps.yaml': 'steps:\n  - send: *cmd\n',
    })
    const run = await cli(['main.yaml'], { cwd })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('error[yaml-alias]: the alias `*cmd` refers to no anchor: there is no `&cmd` before it\n --> common/steps.yaml:2:11\n')
    expect(run.stderr).toContain('aliases do not reach into included files')
    expectNoStackTrace(run)
  })

  it('an alias inside the value it names: a located error, not a value that contains itself', async () => {
    const cwd = files({ 'cycle.yaml': 'name: x\nsteps: &s\n  - send: AT\n    expect: *s\n' })
    const run = await cli(['validate', 'cycle.yaml'], { cwd })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('error[yaml-alias]: the alias `*s` is inside the value it refers to (`&s`)')
    expect(run.stderr).toContain(' --> cycle.yaml:4:13\n')
    expectNoStackTrace(run)
  })
})

describe('files that are not regular files, or too large', () => {
  it('include: /dev/zero and payload: { file: /dev/zero }: located errors, at once, exit 2', async () => {
    const cwd = files({
      'devices.yaml': 'name: x\nsteps:\n  - include: /dev/zero\n  - send: AT+CIPSEND=4\n    expect: [OK, ">"]\n  - payload: { file: /dev/zero }\n',
    })
    const run = await cli(['devices.yaml'], { cwd, measurePeakRss: true })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('error[include-missing]: cannot include /dev/zero: it is a character device, not a regular file (only regular files are read)\n --> devices.yaml:3:14\n')
    expect(run.stderr).toContain('error[file-unreadable]: cannot read payload file /dev/zero: it is a character device, not a regular file (only regular files are read)\n --> devices.yaml:6:22\n')
    expect(run.peakRssKiB).toBeLessThan(MEMORY_BOUND_KIB)
    expectNoStackTrace(run)
  })

  it('a FIFO as a scenario, an include or a payload file: refused without blocking on it (nothing ever writes to it)', async () => {
    const cwd = files({
      'fifo-user.yaml': 'name: x\nsteps:\n  - include: pipe.yaml\n  - send: AT+CIPSEND=4\n    expect: [OK, ">"]\n  - payload: { file: pipe.yaml }\n',
    })
    execFileSync('mkfifo', [join(cwd, 'pipe.yaml')])
    const run = await cli(['validate', 'fifo-user.yaml', 'pipe.yaml'], { cwd })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('cannot include pipe.yaml: it is a FIFO (named pipe), not a regular file')
    expect(run.stderr).toContain(`cannot read payload file ${join(cwd, 'pipe.yaml')}: it is a FIFO (named pipe), not a regular file`)
    expect(run.stderr).toContain('error[file-unreadable]: cannot read pipe.yaml: it is a FIFO (named pipe), not a regular file')
    expectNoStackTrace(run)
  })

  it('a 20 MB scenario: refused with the limit, before parsing, in bounded memory', async () => {
    const line = '# padding padding padding padding padding padding padding padding padding padding\n'
    const cwd = files({ 'huge.yaml': `name: huge\nsteps:\n  - send: AT\n${line.repeat(Math.ceil(20e6 / line.length))}` })
    const run = await cli(['huge.yaml'], { cwd, measurePeakRss: true })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('error[file-unreadable]: cannot read huge.yaml: it is larger than 1 MiB, the most a scenario, an included file, a device profile or an --env-file may hold\n')
    expect(run.peakRssKiB).toBeLessThan(MEMORY_BOUND_KIB)
    expectNoStackTrace(run)
  })

  it('a scenario read from /dev/zero: refused without reading, in bounded memory', async () => {
    const run = await cli(['/dev/zero'], { measurePeakRss: true })
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('error[file-unreadable]: cannot read /dev/zero: it is a character device, not a regular file (only regular files are read)\n\n1 error; nothing was run.\n')
    expect(run.peakRssKiB).toBeLessThan(MEMORY_BOUND_KIB)
  })
})

describe('prerequisites whose children leave the process group', () => {
  // Numbers no other process on the machine has in its command line.
  const token = String(700_000 + Math.floor(Math.random() * 99_999))

  it('a child that calls setsid (and keeps the output pipe), and one that daemonises: stopped with it, said so, nothing left', async () => {
    const cwd = files({
      'escape.yaml': [
        'name: escaped children',
        'prerequisites:',
        '  - name: launcher',
        // One child in a session of its own holding the output pipe (the run used to wait for it for
        // ever), one re-parented to init with its output closed (found by the mark in its environment).
        `    run: [sh, -c, "setsid sleep ${token}1 & setsid sh -c 'sleep ${token}2 >/dev/null 2>&1 </dev/null &'; exec sleep ${token}3"]`,
        '    ready: { delay: 300ms }',
        'steps:',
        '  - send: AT',
        '',
      ].join('\n'),
    })
    const run = await cli(['escape.yaml', '--reporter', 'json', '--output-dir', 'out'], { cwd })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(new RegExp(`⚠ Stop launcher: also stopped pid \\d+ \\(sleep ${token}1\\), which it had started outside its process group, by SIGTERM\\n`))
    expect(run.stdout).toMatch(new RegExp(`⚠ Stop launcher: also stopped pid \\d+ \\(sleep ${token}2\\), which it had started outside its process group, by SIGTERM\\n`))
    expect(processesMatching(`sleep ${token}`)).toEqual([])
    const json = JSON.parse(readFileSync(join(cwd, 'out', 'results.json'), 'utf8')) as { scenarios: { prerequisites: { escaped?: { command: string; signal: string }[] }[] }[] }
    expect(json.scenarios[0]!.prerequisites[0]!.escaped?.map((e) => e.command).sort()).toEqual([`sleep ${token}1`, `sleep ${token}2`])
    const transcript = readFileSync(join(cwd, 'out', 'escape.transcript.txt'), 'utf8')
    expect(transcript).toMatch(new RegExp(`also stopped pid \\d+, started by it outside its process group, by SIGTERM: sleep ${token}1`))
  })

  it('an escaped child that ignores SIGTERM gets SIGKILL after the grace period', async () => {
    const cwd = files({
      'stubborn.yaml': [
        'name: stubborn',
        'prerequisites:',
        '  - name: launcher',
        `    run: [sh, -c, "setsid sh -c 'trap \\"\\" TERM; while :; do sleep 1; done; echo ${token}4' & exec sleep ${token}5"]`,
        '    ready: { delay: 300ms }',
        'steps:',
        '  - send: AT',
        '',
      ].join('\n'),
    })
    const run = await cli(['stubborn.yaml', '--output-dir', 'out'], { cwd })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(new RegExp(`also stopped pid \\d+ \\(sh -c trap "" TERM; while :; do sleep 1; done; echo ${token}4\\), which it had started outside its process group, by SIGKILL\\n`))
    expect(processesMatching(`${token}4`)).toEqual([])
    expect(processesMatching(`sleep ${token}5`)).toEqual([])
  })
})

describe('outputs that cannot be written', () => {
  it('--output-dir /proc: a clear error before the run, exit 3', async () => {
    const run = await cli(['test/fixtures/report/passes.yaml', '--output-dir', '/proc'])
    expect(run.code).toBe(3)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe('at-scenario: cannot write files in the output directory /proc: the directory takes no new files (ENOENT); nothing was run\n')
  })

  it('--output-dir naming new folders under /proc: exit 3, not the endless retry of a recursive mkdir', async () => {
    const run = await cli(['test/fixtures/report/passes.yaml', '--output-dir', '/proc/at-scenario-new/reports'])
    expect(run.code).toBe(3)
    expect(run.stderr).toBe('at-scenario: cannot create the output directory /proc/at-scenario-new/reports: the directory takes no new files (ENOENT); nothing was run\n')
  })

  it('an output directory below a file: exit 3 with the path and the reason', async () => {
    const cwd = files({ 'a-file': '' })
    const below = await cli([join(process.cwd(), 'test/fixtures/report/passes.yaml'), '--output-dir', 'a-file/reports'], { cwd })
    expect(below.code).toBe(3)
    expect(below.stderr).toBe('at-scenario: cannot create the output directory a-file/reports: part of the path is a file, not a directory (ENOTDIR); nothing was run\n')
  })

  it('an output directory that takes no files, with and without --reporter: exit 3 with the path and the reason', async (ctx) => {
    const cwd = tempDir()
    const locked = join(cwd, 'locked')
    mkdirSync(locked, { mode: 0o555 })
    // The permission bits stop everyone but root; an immutable directory (chattr +i) stops root too,
    // where root may set it (not in a container without CAP_LINUX_IMMUTABLE, not on tmpfs).
    const root = process.getuid?.() === 0
    if (root) {
      try {
        execFileSync('chattr', ['+i', locked], { stdio: 'ignore' })
      } catch {
        ctx.skip()
      }
    }
    try {
      // Without report files it used to be a warning and exit 0.
      for (const more of [[], ['--reporter', 'junit']]) {
        const run = await cli([join(process.cwd(), 'test/fixtures/report/passes.yaml'), '--output-dir', 'locked', ...more], { cwd })
        expect(run.code).toBe(3)
        expect(run.stdout).toBe('')
        expect(run.stderr).toBe(`at-scenario: cannot write files in the output directory locked: permission denied (${root ? 'EPERM' : 'EACCES'}); nothing was run\n`)
      }
    } finally {
      if (root) execFileSync('chattr', ['-i', locked])
    }
  })

  it('--record /dev/full (or a FIFO): refused before the run, exit 3, instead of a recording silently lost', async () => {
    const full = await cli(['test/fixtures/report/passes.yaml', '--record', '/dev/full', '--output-dir', tempDir()])
    expect(full.code).toBe(3)
    expect(full.stderr).toBe('at-scenario: cannot write the recording /dev/full: it is a character device, not a regular file; nothing was run\n')
    const dir = tempDir()
    execFileSync('mkfifo', [join(dir, 'rec.atrec')])
    const fifo = await cli(['test/fixtures/report/passes.yaml', '--record', join(dir, 'rec.atrec'), '--output-dir', dir])
    expect(fifo.code).toBe(3)
    expect(fifo.stderr).toContain('it is a FIFO (named pipe), not a regular file; nothing was run')
  })

  it('a recording and a transcript that fail in the middle of the run (ulimit -f): reported, incomplete, exit 3', async () => {
    const dir = tempDir()
    const steps = Array.from({ length: 30 }, () => '  - send: AT+GMR\n').join('')
    writeFileSync(join(dir, 'many.yaml'), `name: many\nsteps:\n${steps}`)
    const mark = randomUUID()
    // 4 blocks of 512 bytes: every file the run writes stops growing at 2 KiB (EFBIG; Node ignores SIGXFSZ).
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, [RUN_MARK]: mark }
      const child = spawn('sh', ['-c', 'ulimit -f 4; exec "$0" "$@"', process.execPath, BIN, 'many.yaml', '--record', 'rec.atrec', '--output-dir', 'out'], { cwd: dir, env })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.on('close', (code) => resolve({ code, stdout, stderr }))
    })
    expect(run.stdout).toContain('PASSED many.yaml: 30 passed')
    expect(run.stderr).toContain('at-scenario: the recording rec.atrec is incomplete: the file grew larger than the system allows (ulimit -f) (EFBIG)\n')
    expect(run.stderr).toContain('at-scenario: warning: the transcript out/many.transcript.txt is incomplete: the file grew larger than the system allows (ulimit -f) (EFBIG)\n')
    expect(run.stderr).toContain('at-scenario: not written whole: out/many.transcript.txt (see the warnings above)\n')
    expect(run.stdout).not.toContain('Written: out/many.transcript.txt')
    expect(run.code).toBe(3)
    expect(processesCarrying(RUN_MARK, mark)).toEqual([])
  })
})

describe('a prerequisite port that is taken', () => {
  const pty = usePtySim()

  it('by a stale server: exit 3 before the prerequisite starts, naming the process that listens; reports written', async () => {
    const port = await freePort()
    const token = `stale-${randomUUID().slice(0, 8)}`
    // A server left over from an earlier run: another process, on the prerequisite's own port.
    const holder: ChildProcess = spawn(
      'python3',
      ['-c', `import socket, time\ns = socket.socket()\ns.bind(('127.0.0.1', ${port}))\ns.listen()\nprint(1, flush=True)\ntime.sleep(120)`, token],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    try {
      await new Promise<void>((resolve, reject) => {
        holder.once('error', reject)
        holder.stdout!.once('data', () => resolve())
      })
      expect(await isListening(port)).toBe(true)
      const never = String(900_000 + Math.floor(Math.random() * 99_999))
      const cwd = files({
        'stale.yaml': `name: stale\nprerequisites:\n  - name: echo server\n    run: [sleep, "${never}"]\n    ready: { port: ${port} }\nsteps:\n  - send: AT\nteardown:\n  - send: AT+RST\n`,
      })
      const run = await cli(['stale.yaml', '--reporter', 'json', '--output-dir', 'out'], { cwd })
      expect(run.code).toBe(3)
      expect(run.stdout).toContain(`✖ Start echo server: its \`ready.port\` ${port} on 127.0.0.1 is already in use, before it started: pid ${holder.pid} (`)
      // Its command line on one line: the newlines of its script are shown escaped.
      expect(run.stdout).toMatch(new RegExp(`pid ${holder.pid} \\(\\S*python3 -c import socket, time\\\\ns = socket\\.socket\\(\\)\\\\n`))
      expect(run.stdout).toContain(`${token}) listens on it`)
      expect(run.stderr).toContain('hint: stop that process (a server left over from an earlier run?), or give the prerequisite another port')
      expect(run.stdout).not.toContain('✔ AT')
      expectNoStackTrace(run)
      // It never started, so there is nothing of it to stop; the stale server is not the run's to stop either.
      expect(processesMatching(`sleep ${never}`)).toEqual([])
      expect(holder.exitCode).toBeNull()
      const json = JSON.parse(readFileSync(join(cwd, 'out', 'results.json'), 'utf8')) as {
        status: string
        scenarios: { status: string; prerequisites: { status: string }[]; steps: { status: string }[]; teardown: { status: string }[] }[]
      }
      expect(json.status).toBe('not-run')
      expect(json.scenarios[0]!.prerequisites.map((p) => p.status)).toEqual(['failed'])
      expect(json.scenarios[0]!.steps.map((s) => s.status)).toEqual(['skipped'])
      // No step ran, so there was nothing to undo: teardown is reported skipped, as the README says.
      expect(json.scenarios[0]!.teardown.map((s) => s.status)).toEqual(['skipped'])
      expect(readFileSync(join(cwd, 'out', 'stale.transcript.txt'), 'utf8')).toContain(`already in use`)
    } finally {
      holder.kill()
    }
  })

  it('by the same prerequisite of a scenario running side by side on another device: said so, exit 3', async () => {
    const port = await freePort()
    const server = `run: [python3, -c, "import socket, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', ${port})); s.listen(); time.sleep(60)"]`
    const scenario = (name: string) => `name: ${name}\nprerequisites:\n  - name: server\n    ${server}\n    ready: { port: ${port} }\nsteps:\n  - sleep: 3s\n`
    const cwd = files({ 'a.yaml': scenario('a'), 'b.yaml': scenario('b') })
    const [one, two] = [await pty.served(), await pty.served()]
    const run = await cli(['a.yaml', 'b.yaml', '--port', one.pair.host, '--port', two.pair.host, '--var', 'host.ip=127.0.0.1', '--output-dir', 'out'], { cwd })
    expect(run.code).toBe(3)
    expect(run.stdout).toMatch(new RegExp(`✖ Start server: its \`ready.port\` ${port} is taken by the prerequisite \`server\` of [ab]\\.yaml, which runs at the same time on another device`))
    expect(run.stdout).toMatch(/\] PASSED [ab]\.yaml/)
    expect(run.stderr).toContain('scenarios that run side by side need their servers on ports of their own')
  })
})

describe('a device that floods', () => {
  const pty = usePtySim()
  const FLOOD_DEVICE = join(process.cwd(), 'test/fixtures/hostile/flood-device.py')
  /** What the README states for a flooding device, with room for the machine's noise. */
  const FLOOD_BOUND_KIB = 160 * 1024

  it('8 MiB of random bytes, then one line of 200 MiB that never ends: all of it read, in bounded memory', async () => {
    const pair = await pty.pair()
    const device = pty.track({ child: spawn('python3', [FLOOD_DEVICE, pair.device, '8', '200'], { stdio: ['ignore', 'ignore', 'inherit'] }), close() { this.child.kill() } })
    const cwd = files({ 'flood.yaml': 'name: flood\nsteps:\n  - send: AT\n    expect: ["/FLOOD-END/"]\n    timeout: 300s\n' })
    const run = await cli(['flood.yaml', '--port', pair.host, '--output-dir', 'out'], { cwd, measurePeakRss: true })
    // FLOOD-END comes after the whole flood: the step passes only once the runner has read all of it.
    expect(run.stdout).toContain('PASSED flood.yaml: 1 passed')
    expect(run.code).toBe(0)
    expect(device.child.exitCode).toBeNull()
    expect(run.peakRssKiB).toBeGreaterThan(0)
    // The line alone, had it been kept whole, would take 200 MiB.
    expect(run.peakRssKiB).toBeLessThan(FLOOD_BOUND_KIB)
    expectNoStackTrace(run)
  })
})

describe('device output that would make a regex backtrack for hours', () => {
  it('/(a+)+$/ against forty `a`s and a `b`: the step times out as it should, the run does not hang', async () => {
    const cwd = files({
      'profile.yaml': `firmware:\n  gmr: ["${'a'.repeat(40)}b"]\n`,
      'redos.yaml': 'name: redos\nsimulator: { profile: profile.yaml }\nsteps:\n  - send: AT+GMR\n    expect: ["/(a+)+$/"]\n    timeout: 1s\n',
    })
    const run = await cli(['redos.yaml', '--output-dir', 'out'], { cwd })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/✖ AT\+GMR \(\d+ ms\): timed out after 1000 ms waiting for `\/\(a\+\)\+\$\/`/)
  })
})

describe('a bug in at-scenario itself', () => {
  it('an exception that escapes main(): one line, exit 70; AT_SCENARIO_DEBUG=1 adds the stack', async () => {
    const dir = tempDir()
    const preload = join(dir, 'throw-in-main.mjs')
    // main() reads stderr.isTTY to choose colours: a getter that throws is an exception inside main().
    writeFileSync(preload, "Object.defineProperty(process.stderr, 'isTTY', { get() { throw new Error('boom inside main') } })\n")
    const run = await cli(['validate', 'scenarios/tcp-echo.yaml'], { env: { NODE_OPTIONS: `--import ${preload}` } })
    expect(run.code).toBe(70)
    expect(run.stderr).toBe('at-scenario: internal error: boom inside main (AT_SCENARIO_DEBUG=1 shows the stack)\n')
    expectNoStackTrace(run)
    const debug = await cli(['validate', 'scenarios/tcp-echo.yaml'], { env: { NODE_OPTIONS: `--import ${preload}`, AT_SCENARIO_DEBUG: '1' } })
    expect(debug.code).toBe(70)
    expect(debug.stderr).toMatch(/^Error: boom inside main\n\s+at /)
    expect(debug.stderr).toMatch(/at-scenario: internal error: boom inside main\n$/)
  })

  it('an exception thrown outside any await while a prerequisite runs: one line, exit 70, the prerequisite killed', async () => {
    const token = String(800_000 + Math.floor(Math.random() * 99_999))
    const dir = files({
      'slow.yaml': `name: slow\nprerequisites:\n  - name: sleeper\n    run: [sleep, "${token}"]\n    ready: { delay: 100ms }\nsteps:\n  - sleep: 10s\n`,
    })
    // Once the prerequisite is reported ready, a timer throws: an uncaught exception in the middle of the run.
    const preload = join(dir, 'throw-later.mjs')
    writeFileSync(
      preload,
      [
        'const write = process.stdout.write.bind(process.stdout)',
        "process.stdout.write = (chunk, ...rest) => { if (String(chunk).includes('✔ Start sleeper')) setImmediate(() => { throw new Error('boom in a timer') }); return write(chunk, ...rest) }",
        '',
      ].join('\n'),
    )
    const run = await cli(['slow.yaml', '--output-dir', 'out'], { cwd: dir, env: { NODE_OPTIONS: `--import ${preload}` } })
    expect(run.code).toBe(70)
    expect(run.stderr).toBe('at-scenario: internal error: boom in a timer (AT_SCENARIO_DEBUG=1 shows the stack)\n')
    expect(processesMatching(`sleep ${token}`)).toEqual([])
  })
})

describe('no stack trace on any bad input', () => {
  it('a corpus of hostile files and arguments: each exit 2 or 3 with a message, never a stack trace', async () => {
    const cwd = files({
      'merge.yaml': '%YAML 1.1\n---\nname: &n x\nsteps:\n  - send: AT\n    <<: *n\n',
      'deep.yaml': `name: deep\nsteps:\n  - send: AT\n    expect: ${'['.repeat(150)}${']'.repeat(150)}\n`,
      'tags.yaml': 'name: !!binary aGVsbG8=\nsteps: !!set {a, b}\n',
      'two-docs.yaml': 'name: one\nsteps: [{send: AT}]\n---\nname: two\n',
      'binary.yaml': '\u0000\u0001\u00ff\u00fe name: x',
      'many-aliases.yaml': `name: x\nx: &x 1\nl: [${Array(1001).fill('*x').join(', ')}]\nsteps: [{send: AT}]\n`,
      'empty.yaml': '',
      'profile-bomb.yaml': aliasBomb(),
      'uses-profile.yaml': 'name: x\nsimulator: { profile: profile-bomb.yaml }\nsteps: [{send: AT}]\n',
    })
    const runs: [string[], number][] = [
      [['merge.yaml'], 2],
      [['deep.yaml'], 2],
      [['tags.yaml'], 2],
      [['two-docs.yaml'], 2],
      [['binary.yaml'], 2],
      [['many-aliases.yaml'], 2],
      [['empty.yaml'], 2],
      [['uses-profile.yaml'], 2],
      [['.'], 2],
      [['uses-profile.yaml', '--port', 'replay:/dev/zero', '--output-dir', 'out'], 3],
      [['import', '/dev/zero'], 2],
    ]
    for (const [args, code] of runs) {
      const run = await cli(args, { cwd })
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(code)
      expect(run.stderr.trim(), args.join(' ')).not.toBe('')
      expectNoStackTrace(run)
    }
  })
})
