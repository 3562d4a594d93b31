import type { Flash, WifiMode } from './flash.ts'
import type { Sntp } from './sntp.ts'
import type { Station } from './station.ts'
import type { WsLink } from './ws-link.ts'
import type { WsConfig, WsDataFormat } from './ws-config.ts'
import { DEFAULT_DATA_FORMAT } from './ws-config.ts'

export const LINK_COUNT = 3

/** Everything a boot resets. Settings kept in flash are copied in at boot. */
export class DeviceState {
  echo = true
  syslog = false
  sysmsg: number
  wifiMode: WifiMode
  readonly station: Station
  readonly sntp: Sntp
  /** WebSocket links 0..2 while a client object exists (open, reconnecting, closing). */
  readonly links: (WsLink | undefined)[] = Array.from({ length: LINK_COUNT }, () => undefined)
  /** AT+WSCFG per link; wiped when the link is released. */
  readonly wsConfigs: (WsConfig | undefined)[] = Array.from({ length: LINK_COUNT }, () => undefined)
  /** AT+WSDATAFMT per link; survives close and reopen, reset by a boot. */
  readonly wsDataFormats: WsDataFormat[] = Array.from({ length: LINK_COUNT }, () => ({ ...DEFAULT_DATA_FORMAT }))
  /** AT+WSHEAD request headers (`key: value`), oldest first; global to all links. */
  wsHeaders: string[] = []

  constructor(flash: Flash, station: Station, sntp: Sntp) {
    this.sysmsg = flash.sysmsg
    this.wifiMode = flash.wifiMode
    this.station = station
    this.sntp = sntp
  }

  get hasIp(): boolean {
    return this.station.hasIp
  }

  /** Drops every connection and timer without printing anything: power off or restart. */
  async shutdown(): Promise<void> {
    await Promise.all(this.links.flatMap((l) => (l ? [l.destroy()] : [])))
    this.links.fill(undefined)
  }
}
