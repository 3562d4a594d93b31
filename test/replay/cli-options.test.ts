import { describe, expect, it } from 'vitest'
import { parseCli, USAGE } from '../../src/cli/args.ts'
import { DEFAULT_LINE } from '../../src/link/open-link.ts'
import { targetOf } from '../../src/targets/index.ts'

describe('record and replay on the command line', () => {
  it('--record, --replay-speed and --no-prerequisites', () => {
    expect(parseCli(['a.yaml', '--record', 'run.atrec'])).toMatchObject({ command: 'run', record: 'run.atrec' })
    expect(parseCli(['a.yaml', '--port', 'replay:run.atrec', '--replay-speed', '0'])).toMatchObject({ ports: ['replay:run.atrec'], replaySpeed: 0 })
    expect(parseCli(['a.yaml', '--port', 'replay:run.atrec', '--replay-speed', '2.5']).replaySpeed).toBe(2.5)
    expect(parseCli(['a.yaml', '--no-prerequisites']).noPrerequisites).toBe(true)
    expect(parseCli(['a.yaml']).noPrerequisites).toBeUndefined()
  })

  it('refuses what cannot work, saying why', () => {
    expect(() => parseCli(['a.yaml', 'b.yaml', '--record', 'run.atrec'])).toThrow('--record records one scenario: give one scenario file')
    expect(() => parseCli(['a.yaml', '--replay-speed', '2'])).toThrow('--replay-speed needs --port replay:FILE')
    expect(() => parseCli(['a.yaml', '--port', 'replay:r.atrec', '--replay-speed=-1'])).toThrow('--replay-speed needs a number >= 0')
    expect(() => parseCli(['a.yaml', '--port', 'replay:r.atrec', '--replay-speed', 'fast'])).toThrow('--replay-speed needs a number >= 0')
    expect(() => parseCli(['a.yaml', '-o', 'x.atrec'])).toThrow('-o/--output belongs to `at-scenario import`')
  })

  it('import takes one log and an optional -o', () => {
    expect(parseCli(['import', 'log.txt', '-o', 'run.atrec'])).toMatchObject({ command: 'import', files: ['log.txt'], output: 'run.atrec' })
    expect(parseCli(['import', 'log.txt']).output).toBeUndefined()
    expect(() => parseCli(['import'])).toThrow('import takes one log file')
    expect(() => parseCli(['import', 'a.txt', 'b.txt'])).toThrow('import takes one log file')
  })

  it('replay:FILE is a port like the others: a kind of target, which starts no prerequisite', async () => {
    const target = await targetOf('replay:recordings/run.atrec', { baudRate: 115200, line: DEFAULT_LINE, replaySpeed: 0, cwd: '/work' })
    expect(target).toMatchObject({ kind: 'replay', description: 'a replay of run.atrec', onSimulator: false, noPrerequisites: 'the device is a replay of a recording' })
    expect(target.recordedPort('replay:recordings/run.atrec')).toEqual({ port: 'replay:recordings/run.atrec' })
  })

  it('--help documents them', () => {
    for (const text of ['--record <file>', '--replay-speed <n>', '--no-prerequisites', 'replay:FILE', 'at-scenario import <log.txt>', '-o, --output <file>']) expect(USAGE).toContain(text)
  })
})
