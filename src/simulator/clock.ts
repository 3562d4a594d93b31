/**
 * The device's real-time clock. It starts at the Unix epoch at power-on and counts up, so before
 * SNTP has synced it reads 1970 (reference §9.2); a sync sets it. It lives in RTC memory: a
 * software reset keeps it, as on most ESP chips.
 */
export class DeviceClock {
  private readonly hostNow: () => number
  private base = 0
  private hostAtBase: number

  /** `hostNow` is the host's clock in ms (tests pass a fake one). */
  constructor(hostNow: () => number = Date.now) {
    this.hostNow = hostNow
    this.hostAtBase = hostNow()
  }

  /** UTC, in ms since the epoch, as the device believes it. */
  now(): number {
    return this.base + (this.hostNow() - this.hostAtBase)
  }

  /** What the host believes (for an SNTP server that answers with the host's time). */
  hostTime(): number {
    return this.hostNow()
  }

  set(utcMs: number): void {
    this.base = utcMs
    this.hostAtBase = this.hostNow()
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * C `asctime()` without its newline: `Thu Jan  1 00:02:08 1970`, the day of month space-padded to
 * two characters. `localMs` is already shifted by the time zone; it is formatted as is.
 */
export function asctime(localMs: number): string {
  const d = new Date(localMs)
  const two = (n: number) => String(n).padStart(2, '0')
  const day = String(d.getUTCDate()).padStart(2, ' ')
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day} ${time} ${d.getUTCFullYear()}`
}

/**
 * AT+CIPSNTPCFG's `<timezone>` as minutes east of UTC, or undefined when out of range. Two forms
 * (reference §9.1): whole hours in -12..14, otherwise [+|-]hhmm with hours -12..14 and minutes <= 59.
 */
export function timezoneOffsetMinutes(value: number): number | undefined {
  if (value >= -12 && value <= 14) return value * 60
  const sign = value < 0 ? -1 : 1
  const hours = Math.floor(Math.abs(value) / 100)
  const minutes = Math.abs(value) % 100
  if (minutes > 59 || sign * hours < -12 || sign * hours > 14) return undefined
  return sign * (hours * 60 + minutes)
}
