import type { BannerRule } from '../link/banner.ts'
import type { LineSettings } from '../link/open-link.ts'
import type { OpenLink } from '../link/stream-link.ts'
import type { RecordingSetup } from '../replay/recorder.ts'
import type { Scenario } from '../source/types.ts'
import type { VariableInputs } from '../source/variables.ts'
import type { LeaseScope } from './leases.ts'

/** The settings a `--port` string is read with. */
export interface PortSettings {
  baudRate: number
  line: LineSettings
  /** `--replay-speed` (1: the recorded timing, 0: as fast as possible). */
  replaySpeed: number
  /** Relative paths (`replay:run.atrec`, `--labgrid-env`) start here. */
  cwd: string
  /** The environment: where `--port lava` and `labgrid` find the lab's variables (LAVA_*, LG_*). */
  env?: Readonly<Record<string, string | undefined>>
  /** `--baud` as given: it beats a lab's configured speed (labgrid's NetworkSerialPort), the scenario's baud rate does not. */
  cliBaud?: number
  /** `--banner`: what a network serial server sends before the device's bytes. */
  banner?: BannerRule
  /** `--labgrid-env`, `--labgrid-reserve`, `--labgrid-timeout`. */
  labgrid?: LabgridSettings
  /** What a lane of the run holds from its first scenario to the end of the run (a labgrid place); without it, each open holds its own. */
  leases?: LeaseScope
  /** Ctrl-C: stops a wait for a lab (a reservation, an acquire). */
  signal?: AbortSignal
}

export interface LabgridSettings {
  /** A labgrid environment file (absolute), as `labgrid-client -c` reads it. */
  envFile?: string
  /** `--labgrid-reserve tag=value`: reserve a place with these tags, and wait for it. */
  reserve?: string[]
  /** How long to wait for a reservation (and an acquire), in ms. */
  timeoutMs?: number
}

/** Where a run goes, once a `--port` (or its absence) has been read: everything the run needs to know about it. */
export interface Target {
  /** The kind's name: `simulator`, `serial`, `tcp`, `rfc2217`, `replay`... */
  kind: string
  /** How people know it: "/dev/ttyUSB0 at 115200 baud". */
  description: string
  /** What `${host.ip}` is by default: this machine's loopback (an in-process device) or its LAN address. */
  hostIp: 'loopback' | 'lan'
  /** The built-in simulator: the scenario's `simulator.vars` apply. */
  onSimulator: boolean
  /** Why no prerequisite is started on it, if none is (a replay talks to no server). */
  noPrerequisites?: string
  open(): Promise<OpenLink>
  /** The run's variables, once the link is open (a replay brings the recorded ones). */
  variables?(link: OpenLink, scenario: Scenario, inputs: VariableInputs): VariableInputs | Promise<VariableInputs>
  /** A sentence to add to a failed step's message, given the command it sent (the simulator: "does not model AT+X"). */
  failureHint?(): Promise<(sent: string) => string | undefined>
  /** What a recording keeps of the port: the port as given and its settings. */
  recordedPort(given: string | undefined): RecordingSetup['port']
}

/** One kind of `--port`: a table entry in TARGET_KINDS, so that a new kind is a file and a line. */
export interface TargetKind {
  name: string
  /** How it is written, for help and messages: `tcp://HOST:PORT`. */
  form: string
  /** The target, if `port` is of this kind; throws a LinkOpenError when it is but cannot be used. */
  parse(port: string, settings: PortSettings): Target | undefined | Promise<Target | undefined>
}
