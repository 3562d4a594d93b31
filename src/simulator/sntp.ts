import { asctime } from './clock.ts'
import type { DeviceRuntime } from './runtime.ts'

/** The servers AT+CIPSNTPCFG=1 uses when it names none (reference §9.1). */
export const DEFAULT_SNTP_SERVERS = ['cn.ntp.org.cn', 'ntp.sjtu.edu.cn', 'us.pool.ntp.org']

/**
 * The SNTP client (reference §9): off until AT+CIPSNTPCFG=1; once enabled and the station has an
 * address, the first sync sets the device clock and prints `+TIME_UPDATED` (once per
 * AT+CIPSNTPCFG=1). The time zone applies to AT+CIPSNTPTIME? only; certificates use UTC.
 */
export class Sntp {
  enabled = false
  /** As given to AT+CIPSNTPCFG (read back verbatim). */
  timezone = 0
  offsetMinutes = 0
  servers: string[] = []
  intervalSec = 3600
  private readonly runtime: DeviceRuntime
  private announce = false
  private pending: (() => void) | undefined

  constructor(runtime: DeviceRuntime) {
    this.runtime = runtime
  }

  configure(enable: boolean, timezone: number, offsetMinutes: number, servers: string[]): void {
    this.timezone = timezone
    this.offsetMinutes = offsetMinutes
    this.pending?.()
    this.pending = undefined
    this.enabled = enable
    this.servers = enable ? servers : []
    this.announce = enable
    if (enable && this.runtime.state.hasIp) this.scheduleSync()
  }

  /** The station got an address: a configured client that has not synced yet starts now. */
  onGotIp(): void {
    if (this.enabled && this.announce && !this.pending) this.scheduleSync()
  }

  /** AT+CIPSNTPTIME?'s text: local time by the configured zone. */
  localTime(): string {
    return asctime(this.runtime.clock.now() + this.offsetMinutes * 60_000)
  }

  private scheduleSync(): void {
    const { sntp } = this.runtime.profile
    if (!sntp.reachable) return
    this.pending = this.runtime.after(sntp.syncDelayMs, () => {
      this.pending = undefined
      if (!this.runtime.state.hasIp) return
      this.runtime.clock.set(sntp.time === 'host' ? this.runtime.clock.hostTime() : sntp.time)
      if (this.announce) this.runtime.urc('+TIME_UPDATED')
      this.announce = false
    })
  }
}
