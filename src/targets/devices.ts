import type { OpenedDevice, SuiteDevice } from '../engine/run-suite.ts'
import type { LineSettings } from '../link/open-link.ts'
import type { StreamSink } from '../files/stream-file.ts'
import type { VariableInputs } from '../source/variables.ts'
import type { BannerRule } from '../link/banner.ts'
import type { Leases } from './leases.ts'
import type { LabgridSettings } from './target.ts'
import { firstLanAddress } from './host-ip.ts'
import { targetOf } from './index.ts'

const DEFAULT_BAUD = 115200

/** How the devices of a run are reached and what a run on them gets: the command line's settings. */
export interface DeviceSettings {
  cliVars: ReadonlyMap<string, string>
  env: Readonly<Record<string, string | undefined>>
  cwd: string
  /** `--baud`; else the scenario's `device.baudRate`, else 115200. */
  baud?: number
  line: LineSettings
  replaySpeed: number
  /** `--profile` (absolute); beats the scenario's `simulator.profile`. */
  profile?: string
  /** `--no-prerequisites`. */
  noPrerequisites?: boolean
  /** `--record`: every run is written to this .atrec sink as well. */
  record?: StreamSink
  /** `--banner`: what a network serial server sends before the device's bytes. */
  banner?: BannerRule
  /** `--labgrid-env`, `--labgrid-reserve`, `--labgrid-timeout`. */
  labgrid?: LabgridSettings
  /** What the run holds in a lab (a labgrid place) until it ends; the caller releases them (`releaseAll`). */
  leases?: Leases
  /** Ctrl-C: stops a wait for a lab (a reservation). */
  signal?: AbortSignal
}

/** A device for the suite runner: the one a `--port` names, or the simulator when there is none. */
export function portDevice(port: string | undefined, settings: DeviceSettings): SuiteDevice {
  // One scope per device (lane): what it acquires in a lab stays its own until the run ends.
  const leases = settings.leases?.scope()
  const lab = {
    env: settings.env,
    ...(settings.baud !== undefined ? { cliBaud: settings.baud } : {}),
    ...(settings.banner ? { banner: settings.banner } : {}),
    ...(settings.labgrid ? { labgrid: settings.labgrid } : {}),
    ...(leases ? { leases } : {}),
    ...(settings.signal ? { signal: settings.signal } : {}),
  }
  return {
    ...(port !== undefined ? { name: port } : {}),
    description: port ?? 'the built-in ESP-AT simulator',
    async prepare(scenario) {
      const target = await targetOf(
        port,
        { baudRate: settings.baud ?? scenario.device.baudRate ?? DEFAULT_BAUD, line: settings.line, replaySpeed: settings.replaySpeed, cwd: settings.cwd, ...lab },
        settings.profile ?? scenario.simulator.profile,
      )
      return {
        description: target.description,
        onSimulator: target.onSimulator,
        async open(): Promise<OpenedDevice> {
          const link = await target.open()
          try {
            const hostIp = target.hostIp === 'loopback' ? '127.0.0.1' : (firstLanAddress() ?? '127.0.0.1')
            let variables: VariableInputs = { cliVars: settings.cliVars, env: settings.env, hostIp, onSimulator: target.onSimulator }
            if (target.variables) variables = await target.variables(link, scenario, variables)
            const skipPrerequisites = settings.noPrerequisites ? '--no-prerequisites' : target.noPrerequisites
            const failureHint = await target.failureHint?.()
            const opened: OpenedDevice = { link, variables, ...(skipPrerequisites ? { skipPrerequisites } : {}), ...(failureHint ? { failureHint } : {}) }
            if (settings.record) {
              const { createRecorder } = await import('../replay/run-setup.ts')
              const recorder = createRecorder(settings.record, scenario, variables, target.recordedPort(port))
              opened.extra = { listener: recorder.listener, close: () => recorder.close() }
            }
            return opened
          } catch (e) {
            await link.close()
            throw e
          }
        },
      }
    },
  }
}
