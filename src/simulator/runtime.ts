import type { DeviceClock } from './clock.ts'
import type { Flash } from './flash.ts'
import type { Pki } from './pki.ts'
import type { DeviceProfile } from './profile.ts'
import type { SeededRandom } from './random.ts'
import type { DeviceState } from './state.ts'

/**
 * What the device's parts (command handlers, the Wi-Fi station, SNTP, WebSocket links) may use of
 * the device: its profile, clock, flash and PKI, the current boot's state, output, and timers that
 * die with the current boot (a restart or power-off cancels them, so nothing from an earlier boot
 * prints into the next one).
 */
export interface DeviceRuntime {
  readonly profile: DeviceProfile
  readonly clock: DeviceClock
  readonly flash: Flash
  readonly pki: Pki
  readonly random: SeededRandom
  readonly state: DeviceState
  /** Bytes to the host as they are. */
  print(bytes: string | Uint8Array): void
  /** A URC or information line: the text and CR LF, without a leading CR LF. */
  line(text: string): void
  /** Resolves after `ms`; rejects when the boot ends first. */
  sleep(ms: number): Promise<void>
  /** Runs `fn` after `ms` unless the boot ends first; returns a cancel function. */
  after(ms: number, fn: () => void): () => void
  /** Whether this boot is still the running one. */
  readonly alive: boolean
}
