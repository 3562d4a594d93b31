import type { Flash, WifiMode } from './flash.ts'
import { IpState } from './tcpip/ip-state.ts'
import { MqttState } from './mqtt/mqtt-state.ts'
import { DEFAULT_SOFTAP_ADDRESS, defaultSoftAp } from './softap.ts'
import type { SoftApAddress, SoftApConfig } from './softap.ts'
import { DEFAULT_SCAN_OPTIONS } from './commands/wifi/scan.ts'
import type { ScanOptions } from './commands/wifi/scan.ts'
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
  /** The TCP/IP command set: links 0..4, the server, CIPMUX and the like. */
  readonly ip = new IpState()
  /** The MQTT client (LinkID 0). */
  readonly mqtt = new MqttState()
  /** AT+HTTPURLCFG's URL and AT+HTTPCHEAD's headers (key, value as typed after the colon). */
  readonly http: { url: string | undefined; headers: [string, string][] } = { url: undefined, headers: [] }
  /** AT+CWSAP and AT+CIPAP (from flash at boot; written back while AT+SYSSTORE is 1). */
  softAp: SoftApConfig
  softApAddress: SoftApAddress
  /** AT+CWLAPOPT. */
  scanOptions: ScanOptions = { ...DEFAULT_SCAN_OPTIONS }

  constructor(flash: Flash, station: Station, sntp: Sntp, mac: string) {
    this.sysmsg = flash.sysmsg
    this.wifiMode = flash.wifiMode
    this.softAp = flash.softAp ?? defaultSoftAp(mac)
    this.softApAddress = flash.softApAddress ?? DEFAULT_SOFTAP_ADDRESS
    this.station = station
    this.sntp = sntp
  }

  get hasIp(): boolean {
    return this.station.hasIp
  }

  /** Whether a socket can reach anything: the station got an address, or the SoftAP is up (modes 2, 3). */
  get hasNetwork(): boolean {
    return this.station.hasIp || this.wifiMode === 2 || this.wifiMode === 3
  }

  /** Drops every connection and timer without printing anything: power off or restart. */
  async shutdown(): Promise<void> {
    this.mqtt.clean()
    await Promise.all([...this.links.flatMap((l) => (l ? [l.destroy()] : [])), this.ip.shutdown()])
    this.links.fill(undefined)
  }
}
