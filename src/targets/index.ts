import { labgridKind } from './labgrid.ts'
import { lavaKind } from './lava.ts'
import { replayKind } from './replay.ts'
import { serialKind } from './serial.ts'
import { simulatorTarget } from './simulator.ts'
import type { PortSettings, Target, TargetKind } from './target.ts'
import { rfc2217Kind, tcpKind, telnetKind } from './tcp.ts'
import { usbKind } from './usb.ts'

export type { LabgridSettings, PortSettings, Target, TargetKind } from './target.ts'
export { Leases } from './leases.ts'
export type { Lease, LeaseScope } from './leases.ts'
export { simulatorTarget } from './simulator.ts'

/**
 * Every kind of `--port`, tried in order; a port that is none of the others is a serial port's path.
 * Adding a kind is a file and a line here.
 */
export const TARGET_KINDS: readonly TargetKind[] = [replayKind, tcpKind, telnetKind, rfc2217Kind, lavaKind, labgridKind, usbKind, serialKind]

/** What a `--port` means (no port: the simulator, with the scenario's profile if it has one). */
export async function targetOf(port: string | undefined, settings: PortSettings, profile?: string): Promise<Target> {
  if (port === undefined) return simulatorTarget(profile)
  for (const kind of TARGET_KINDS) {
    const target = await kind.parse(port, settings)
    if (target) return target
  }
  throw new Error(`no target kind takes ${port}`) // serialKind takes every port
}
