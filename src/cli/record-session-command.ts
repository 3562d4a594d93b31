import { writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { describeFsError } from '../diagnostics/fs-error.ts'
import type { CliOptions } from './args.ts'
import { loadEnvironment } from './env-file.ts'
import { ExitCode } from './exit-codes.ts'
import type { CliIo } from './main.ts'

const DEFAULT_BAUD = 115200

/**
 * `at-scenario record-session -o new.yaml`: a terminal on the device (the simulator without
 * --port); when it ends (Ctrl-C, Ctrl-D) the session is written as a scenario and a recording.
 */
export async function recordSessionCommand(options: CliOptions, io: CliIo): Promise<number> {
  const { env, error } = loadEnvironment(io.env, options.envFile, io.cwd)
  if (error) {
    io.stderr.write(`at-scenario: ${error}\n`)
    return ExitCode.BadInput
  }
  const [{ targetOf }, { firstLanAddress }, { runTerminalSession }, { scenarioFromSession }, { scenarioYaml }, { schemaReference }, { formatEntry, formatHeader }, { LinkOpenError }] = await Promise.all([
    import('../targets/index.ts'),
    import('../targets/host-ip.ts'),
    import('../authoring/terminal-session.ts'),
    import('../authoring/session-scenario.ts'),
    import('../authoring/scenario-yaml.ts'),
    import('../authoring/write-files.ts'),
    import('../replay/atrec-format.ts'),
    import('../link/open-link.ts'),
  ])
  const scenarioFile = options.output!
  const recordingFile = options.record ?? `${scenarioFile.replace(/\.ya?ml$/i, '')}.atrec`
  const port = options.ports[0] ?? env.AT_SCENARIO_PORT?.split(',')[0]?.trim() ?? undefined
  if (options.profile !== undefined && port === undefined) {
    const { loadDeviceProfile, renderProfileDiagnostics } = await import('../simulator/profile-load.ts')
    const loaded = await loadDeviceProfile(resolve(io.cwd, options.profile))
    if (!loaded.profile) {
      io.stderr.write(`${renderProfileDiagnostics(loaded, { color: io.stderr.isTTY === true })}\n\nno session was started.\n`)
      return ExitCode.BadInput
    }
  }
  let link
  let target
  try {
    // A lab's port (lava, labgrid) reads its variables from the environment; a labgrid place is
    // held while the link is open (no run's leases here).
    const lab = {
      env,
      ...(options.baud !== undefined ? { cliBaud: options.baud } : {}),
      ...(options.banner ? { banner: options.banner } : {}),
      labgrid: {
        ...(options.labgridEnv !== undefined ? { envFile: resolve(io.cwd, options.labgridEnv) } : {}),
        ...(options.labgridReserve ? { reserve: options.labgridReserve } : {}),
        ...(options.labgridTimeoutMs !== undefined ? { timeoutMs: options.labgridTimeoutMs } : {}),
      },
    }
    target = await targetOf(port || undefined, { baudRate: options.baud ?? DEFAULT_BAUD, line: options.line, replaySpeed: 1, cwd: io.cwd, ...lab }, options.profile !== undefined ? resolve(io.cwd, options.profile) : undefined)
    link = await target.open()
  } catch (e) {
    if (!(e instanceof LinkOpenError) && !(e instanceof Error)) throw e
    io.stderr.write(`at-scenario: ${e.message}\n`)
    return ExitCode.CouldNotRun
  }
  const hostIp = options.vars.get('host.ip') ?? (target.hostIp === 'loopback' ? '127.0.0.1' : (firstLanAddress() ?? '127.0.0.1'))
  io.stderr.write(`Session on ${target.description}; it is written to ${scenarioFile} when it ends.\n`)
  const session = await runTerminalSession(link, { input: process.stdin, output: io.stdout })
  await link.close()

  if (!session.traffic.some((t) => t.kind === 'command')) {
    io.stdout.write('No command was typed: nothing written.\n')
    return ExitCode.Passed
  }
  const made = scenarioFromSession(session, { target: target.description, hostIp })
  const scenario = scenarioYaml(made.draft, schemaReference(dirname(resolve(io.cwd, scenarioFile))))
  const recording =
    formatHeader(
      { target: target.description, ...target.recordedPort(port), recorded: new Date().toISOString(), ...(session.secrets.length > 0 ? { secrets: ['password'] } : {}) },
      [['host.ip', hostIp]],
      ['a session of `at-scenario record-session`'],
    ) + made.entries.map(formatEntry).join('')
  for (const [file, content] of [
    [scenarioFile, scenario],
    [recordingFile, recording],
  ] as const) {
    try {
      await writeFile(resolve(io.cwd, file), content)
    } catch (e) {
      io.stderr.write(`at-scenario: cannot write ${file}: ${describeFsError(e)}\n`)
      return ExitCode.BadInput
    }
  }
  for (const w of made.warnings) io.stderr.write(`at-scenario: warning: ${w}\n`)
  const steps = made.draft.steps.length
  io.stdout.write(
    [
      `Written: ${scenarioFile} (${steps} ${steps === 1 ? 'step' : 'steps'}), ${recordingFile}`,
      ...made.notes.map((n) => `Note: ${n}`),
      `Run it with: at-scenario ${scenarioFile}${port ? ` --port ${port}` : ''}`,
      '',
    ].join('\n'),
  )
  return ExitCode.Passed
}
