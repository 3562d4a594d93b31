import { describe, expect, it } from 'vitest'
import { COMMANDS, parseCli, USAGE, usageOf, UsageError } from '../../src/cli/args.ts'

const noFiles = () => false
function usageError(argv: string[], exists: (path: string) => boolean = noFiles): UsageError {
  try {
    parseCli(argv, exists)
  } catch (e) {
    if (e instanceof UsageError) return e
    throw e
  }
  throw new Error(`parseCli(${JSON.stringify(argv)}) did not fail`)
}

describe('the command word', () => {
  it('a near miss of a command that names no file is a mistyped command', () => {
    expect(usageError(['valdate', 'a.yaml']).message).toBe('unknown command `valdate`; did you mean `validate`?')
    expect(usageError(['prots']).message).toBe('unknown command `prots`; did you mean `ports`?')
    expect(usageError(['imoprt', 'log.txt']).message).toBe('unknown command `imoprt`; did you mean `import`?')
  })

  it('a file of that name, a YAML extension or a word close to no command: a scenario file, as before', () => {
    expect(parseCli(['valdate', 'a.yaml'], (p) => p === 'valdate')).toMatchObject({ command: 'run', files: ['valdate', 'a.yaml'] })
    expect(parseCli(['sin.yaml'], noFiles)).toMatchObject({ command: 'run', files: ['sin.yaml'] })
    expect(parseCli(['scenarios/wifi'], noFiles)).toMatchObject({ command: 'run', files: ['scenarios/wifi'] })
  })

  it('errors of a command that was named point at that command', () => {
    expect(usageError(['sim']).command).toBe('sim')
    expect(usageError(['sim', '--lisen', 'x']).command).toBe('sim')
    expect(usageError(['import']).command).toBe('import')
    expect(usageError(['a.yaml', '--baud', 'fast']).command).toBeUndefined()
  })
})

describe('unknown options', () => {
  it('a near miss of a long option is named', () => {
    expect(usageError(['a.yaml', '--prot', 'x']).message).toBe('unknown option `--prot`; did you mean `--port`?')
    expect(usageError(['a.yaml', '--exclude-tags=slow']).message).toBe('unknown option `--exclude-tags`; did you mean `--exclude-tag`?')
    expect(usageError(['a.yaml', '--no-colour']).message).toBe('unknown option `--no-colour`; did you mean `--no-color`?')
    expect(usageError(['a.yaml', '--frobnicate']).message).toBe('unknown option `--frobnicate`')
  })

  it('a one-letter option is only suggested for a change of case', () => {
    expect(usageError(['a.yaml', '-P', 'x']).message).toBe('unknown option `-P`; did you mean `-p`?')
    expect(usageError(['a.yaml', '-v']).message).toBe('unknown option `-v`; did you mean `-V`?')
    expect(usageError(['a.yaml', '-x']).message).toBe('unknown option `-x`')
  })

  it('other mistakes keep their own message', () => {
    expect(usageError(['a.yaml', '--port']).message).toMatch(/--port <value>' argument missing/)
    expect(usageError([]).message).toBe('no scenario file given')
  })
})

describe('--help', () => {
  it('after a command word: that command; else all of them', () => {
    expect(parseCli(['sim', '--help'], noFiles)).toMatchObject({ command: 'help', helpFor: 'sim' })
    expect(parseCli(['validate', '-h'], noFiles)).toMatchObject({ command: 'help', helpFor: 'validate' })
    expect(parseCli(['--help'], noFiles).helpFor).toBeUndefined()
    expect(parseCli(['a.yaml', '--help'], noFiles).helpFor).toBeUndefined()
    // Asking for help wins over a mistake elsewhere on the line.
    expect(parseCli(['sim', '--lisen', '--help'], noFiles)).toMatchObject({ command: 'help', helpFor: 'sim' })
  })

  it('each command has its own section, and the full help is every section', () => {
    expect(usageOf('sim')).toContain('Options of sim:')
    expect(usageOf('sim')).not.toContain('--tag')
    expect(usageOf('import')).toContain('-o, --output <file>')
    expect(usageOf('import')).not.toContain('--pty')
    expect(usageOf('run')).toContain('--shard <i/n>')
    expect(usageOf('run')).not.toContain('Options of sim')
    for (const command of COMMANDS) {
      const [synopsis] = usageOf(command).split('\n').slice(1)
      expect(USAGE).toContain(synopsis)
    }
    for (const section of ['Options of run:', 'Options of validate', 'Options of import:', 'Options of sim:', '-V, --version']) expect(USAGE).toContain(section)
  })

  it('the authoring commands: import --scenario, import-doc, record-session, each with its help and exit codes', () => {
    expect(parseCli(['import', 'log.txt', '--scenario', 'out.yaml'], noFiles)).toMatchObject({ command: 'import', files: ['log.txt'], scenarioOut: 'out.yaml' })
    expect(parseCli(['import-doc', 'page.rst', '-o', 'dir', '--url', 'https://x/p.html', '--force'], noFiles)).toMatchObject({ command: 'import-doc', files: ['page.rst'], output: 'dir', docUrl: 'https://x/p.html', force: true })
    expect(parseCli(['record-session', '-o', 'new.yaml', '--port', '/dev/ttyUSB0', '--baud', '9600'], noFiles)).toMatchObject({ command: 'record-session', output: 'new.yaml', ports: ['/dev/ttyUSB0'], baud: 9600 })
    expect(() => parseCli(['record-session', '-o', 'n.yaml', '-p', 'a', '-p', 'b'], noFiles)).toThrow('record-session talks to one --port')
    expect(() => parseCli(['a.yaml', '--force'], noFiles)).toThrow('--url and --force belong to `at-scenario import-doc`')
    expect(usageOf('import-doc')).toContain('1 an existing scenario differs from the page')
    expect(usageOf('import-doc')).toContain('--force')
    expect(usageOf('record-session')).toContain('Ctrl-C or Ctrl-D')
    expect(usageOf('import')).toContain('--scenario <file>')
  })
})

describe('sim --list-commands', () => {
  it('needs no way of serving, and takes no other option of sim', () => {
    expect(parseCli(['sim', '--list-commands'], noFiles)).toMatchObject({ command: 'sim', listCommands: true })
    expect(usageError(['sim', '--list-commands', '--pty']).message).toBe('--list-commands takes no other option of sim')
    expect(usageError(['sim', '--list-commands', '--profile', 'p.yaml']).message).toBe('--list-commands takes no other option of sim')
    expect(usageError(['sim']).message).toBe('sim needs exactly one of --pty, --listen tcp://HOST:PORT, --port <path> or --list-commands')
    expect(usageError(['a.yaml', '--list-commands']).message).toBe('--list-commands belongs to `at-scenario sim`')
    expect(usageOf('sim')).toContain('at-scenario sim --list-commands')
  })
})

describe('the lab options', () => {
  it('-c is --labgrid-env, as labgrid-client takes it; the reservation and its timeout are read', () => {
    expect(parseCli(['a.yaml', '--port', 'labgrid', '-c', 'env.yaml'], noFiles)).toMatchObject({ labgridEnv: 'env.yaml' })
    expect(parseCli(['a.yaml', '--port', 'labgrid', '--labgrid-reserve', 'board=esp32', '--labgrid-reserve', 'rack=a', '--labgrid-timeout', '90s'], noFiles)).toMatchObject({
      labgridReserve: ['board=esp32', 'rack=a'],
      labgridTimeoutMs: 90_000,
    })
  })

  it('they are usage errors on a port they are not for, or when malformed', () => {
    expect(usageError(['a.yaml', '--port', '/dev/ttyUSB0', '-c', 'env.yaml']).message).toBe('--labgrid-env needs --port labgrid')
    expect(usageError(['a.yaml', '--port', 'labgrid', '--labgrid-reserve', 'esp32']).message).toContain('--labgrid-reserve needs tag=value')
    expect(usageError(['a.yaml', '--port', '/dev/ttyUSB0', '--banner', 'x']).message).toContain('--banner is for a network serial server')
  })

  it('--help documents them', () => {
    for (const option of ['-c, --labgrid-env <file>', '--labgrid-reserve <tag=value>', '--labgrid-timeout <duration>', '--banner <text|/re/>', 'telnet://HOST:PORT', 'lava[:uart0]']) {
      expect(USAGE).toContain(option)
    }
  })
})
