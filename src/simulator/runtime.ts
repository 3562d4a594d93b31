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
  /** An information line: the text and CR LF, without a leading CR LF. */
  line(text: string): void
  /**
   * An unsolicited line (text and CR LF, one write). `status`: a Wi-Fi or socket status message
   * (`WIFI ...`, `CONNECT`, `CLOSED`), which passthrough keeps quiet unless AT+SYSMSG bit2 is set.
   */
  urc(text: string, options?: { status?: boolean }): void
  /** A length-framed record, header, data and trailer: one write (see SimulatedDevice.record). */
  record(pieces: readonly Uint8Array[], options?: { unsolicited?: boolean }): void
  /** Whether the UART is in passthrough: a link's data then goes out raw. */
  readonly inPassthrough: boolean
  /** Resolves after `ms`; rejects when the boot ends first. */
  sleep(ms: number): Promise<void>
  /** Runs `fn` after `ms` unless the boot ends first; returns a cancel function. */
  after(ms: number, fn: () => void): () => void
  /** Whether this boot is still the running one. */
  readonly alive: boolean
  /** Aborted when this boot ends: connection attempts under way give up. */
  readonly signal: AbortSignal
}
