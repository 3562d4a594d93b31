import type { SimulatedDevice } from './device.ts'
import type { AccessPoint } from './profile.ts'
import type { WsLink } from './ws-link.ts'

export type WifiMode = 0 | 1 | 2 | 3

/** Station state, as AT+CWSTATE numbers it. */
export type StationState = 'idle' | 'connecting' | 'connected' | 'got-ip' | 'disconnected'

/** Everything a boot resets. Settings the firmware stores in flash belong to the profile. */
export class DeviceState {
  echo = true
  syslog = false
  wifiMode: WifiMode = 1
  station: StationState = 'idle'
  ap: AccessPoint | undefined
  /** WebSocket links 0..2. */
  readonly links: (WsLink | undefined)[] = [undefined, undefined, undefined]
  readonly device: SimulatedDevice

  constructor(device: SimulatedDevice) {
    this.device = device
  }

  get hasIp(): boolean {
    return this.station === 'got-ip'
  }

  /** Drops every connection without printing anything: power off or restart. */
  async shutdown(): Promise<void> {
    await Promise.all(this.links.map((l) => l?.destroy()))
    this.links.fill(undefined)
  }
}
