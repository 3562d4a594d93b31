import type { CliOptions } from './args.ts'
import { ExitCode } from './exit-codes.ts'
import type { CliIo } from './main.ts'

/**
 * `at-scenario sim`: serves the simulator until Ctrl-C, SIGTERM or SIGHUP (its terminal closed, the
 * ssh session dropped), then stops cleanly: the device closed, `--pty`'s socat ended, its folder removed.
 */
export async function simCommand(options: CliOptions, io: CliIo): Promise<number> {
  if (options.listCommands) {
    const { formatCommandList } = await import('../simulator/modelled.ts')
    io.stdout.write(formatCommandList())
    return ExitCode.Passed
  }
  const { serveOnPort, serveOnPty, serveOnTcp } = await import('../simulator/serve.ts')
  // --profile: checked first, its mistakes shown at file:line:col; nothing is served with a bad one.
  let device = {}
  if (options.profile !== undefined) {
    const { loadDeviceProfile, renderProfileDiagnostics } = await import('../simulator/profile-load.ts')
    const loaded = await loadDeviceProfile(options.profile)
    if (!loaded.profile) {
      io.stderr.write(`${renderProfileDiagnostics(loaded, { color: options.color ?? io.stderr.isTTY === true })}\n\nthe simulator was not started.\n`)
      return ExitCode.BadInput
    }
    device = { profile: loaded.profile }
  }
  let served
  try {
    if (options.pty) served = await serveOnPty(device)
    else if (options.listen) {
      const url = new URL(options.listen)
      served = await serveOnTcp(url.hostname, Number(url.port), device)
    } else served = await serveOnPort(options.ports[0]!, device)
  } catch (e) {
    io.stderr.write(`at-scenario sim: ${(e as Error).message}\n`)
    return ExitCode.CouldNotRun
  }
  io.stdout.write(`${served.address}\n`)
  io.stderr.write(`ESP-AT simulator ready at ${served.address}; Ctrl-C to stop\n`)
  let hangup = false
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
    process.once('SIGHUP', () => {
      hangup = true
      resolve()
    })
  })
  await Promise.race([stopped, served.ended])
  await served.stop()
  // A hangup is said as the run command says it (128 + SIGHUP), after the same clean stop.
  return hangup ? ExitCode.HungUp : ExitCode.Passed
}
