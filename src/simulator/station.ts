import { AtError } from './at-error.ts'
import type { StationConfig } from './flash.ts'
import type { AccessPoint } from './profile.ts'
import type { DeviceRuntime } from './runtime.ts'
import { bytesOf } from './text.ts'

/** Station status, as AT+CWSTATE numbers it: 0 idle, 1 connected without IP, 2 got IP, 3 connecting, 4 disconnected. */
export type StationStatus = 'idle' | 'connected' | 'got-ip' | 'connecting' | 'disconnected'

export const CWSTATE_NUMBER: Record<StationStatus, number> = { idle: 0, connected: 1, 'got-ip': 2, connecting: 3, disconnected: 4 }

/** How long a scan for an SSID that no access point has takes before giving up. */
const SCAN_MS = 300

export interface StationEvents {
  gotIp(): void
  lost(): void
}

/**
 * The Wi-Fi station against the profile's access points (reference §8.2): association and DHCP
 * take the access point's join delay; a wrong password, an unknown SSID or a missing address end
 * in `+CWJAP:<code>` as the firmware maps them; `WIFI DISCONNECT` is printed once per loss of a
 * connection, never for a join that did not succeed.
 */
export class Station {
  status: StationStatus = 'idle'
  ap: AccessPoint | undefined
  /** The configuration in use (AT+CWJAP's, or the stored one at auto-connect). */
  config: StationConfig | undefined
  private readonly runtime: DeviceRuntime
  private readonly events: StationEvents
  /** Increases on every join and disconnect, so that a superseded join stops quietly. */
  private generation = 0

  constructor(runtime: DeviceRuntime, events: StationEvents) {
    this.runtime = runtime
    this.events = events
  }

  get hasIp(): boolean {
    return this.status === 'got-ip'
  }

  /**
   * AT+CWJAP: joins and resolves once the address came; otherwise fails with `+CWJAP:<code>`. In
   * the set form a station that got associated but no address is disconnected before the
   * `+CWJAP:1` line, in the execute form after it (reference §8.2).
   */
  async join(config: StationConfig, form: 'set' | 'execute'): Promise<void> {
    const outcome = await this.attempt(config)
    if (outcome === 'got-ip') return
    if (outcome === 'superseded') throw new AtError()
    if (outcome === 'no-ip') {
      if (form === 'set') {
        this.disconnect()
        throw new AtError(undefined, ['+CWJAP:1'])
      }
      this.runtime.line('+CWJAP:1')
      this.disconnect()
      throw new AtError()
    }
    throw new AtError(undefined, [`+CWJAP:${outcome}`])
  }

  /** Joins the stored access point in the background (at boot, or when the mode gains the station); URCs only. */
  autoConnect(config: StationConfig): void {
    void this.attempt(config)
      .then((outcome) => {
        if (outcome === 'no-ip') this.disconnect()
      })
      .catch(() => undefined)
  }

  /** Leaves the access point; true when there was a connection (and `WIFI DISCONNECT` was printed). */
  disconnect(): boolean {
    this.generation++
    const wasConnected = this.status === 'connected' || this.status === 'got-ip'
    if (wasConnected) this.runtime.urc('WIFI DISCONNECT', { status: true })
    if (this.status !== 'idle' || wasConnected) this.status = 'disconnected'
    this.ap = undefined
    if (wasConnected) this.events.lost()
    return wasConnected
  }

  private async attempt(config: StationConfig): Promise<'got-ip' | 'no-ip' | 'superseded' | 1 | 2 | 3 | 4> {
    const generation = ++this.generation
    const { runtime } = this
    this.config = config
    this.status = 'connecting'
    const timeoutMs = config.japTimeoutSec * 1000
    const current = () => generation === this.generation
    const fail = (code: 1 | 2 | 3 | 4) => {
      if (current()) this.status = 'disconnected'
      return current() ? code : ('superseded' as const)
    }
    const ap = runtime.profile.accessPoints.find((a) => bytesOf(a.ssid) === config.ssid && (!config.bssid || a.bssid.toLowerCase() === config.bssid.toLowerCase()))
    if (!ap) {
      await runtime.sleep(Math.min(SCAN_MS, timeoutMs))
      return fail(3)
    }
    if (ap.joinDelayMs > timeoutMs) {
      await runtime.sleep(timeoutMs)
      return fail(1)
    }
    await runtime.sleep(ap.joinDelayMs)
    if (!current()) return 'superseded'
    if (bytesOf(ap.password) !== config.password) return fail(2)
    if (ap.rejects) return fail(4)
    this.ap = ap
    this.status = 'connected'
    runtime.urc('WIFI CONNECTED', { status: true })
    if (!ap.dhcp) {
      await runtime.sleep(timeoutMs - ap.joinDelayMs)
      return current() ? 'no-ip' : 'superseded'
    }
    this.status = 'got-ip'
    runtime.urc('WIFI GOT IP', { status: true })
    this.events.gotIp()
    return 'got-ip'
  }
}
